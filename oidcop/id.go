package oidcop

import (
	"crypto/rand"
	"encoding/base32"
)

// idEncoding is otpd's: lower-case base32, safe in URLs and without the
// ':' the library splits access tokens on.
var idEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// newID returns 128 random bits: request IDs are capabilities in URLs.
func newID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("oidcop: crypto/rand failed: " + err.Error())
	}
	return idEncoding.EncodeToString(b[:])
}
