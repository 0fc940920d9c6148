// Package password hashes, verifies and vets the passwords that people may
// set on their accounts. otpd signs people in with codes; a password is an
// option on top, so everything here is built to fail safe: a stored hash
// that cannot be read is an error, never a match, and an address without a
// password costs as much time to refuse as one with a wrong password.
package password

import (
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"

	"golang.org/x/crypto/argon2"
	"golang.org/x/text/unicode/norm"
)

// Params are the cost settings of argon2id (RFC 9106).
type Params struct {
	Memory      uint32 // KiB
	Iterations  uint32
	Parallelism uint8
	SaltLen     uint32 // bytes
	KeyLen      uint32 // bytes
}

// DefaultParams are OWASP's first recommended argon2id setting (Password
// Storage Cheat Sheet: m=19 MiB, t=2, p=1). The server this is sized for
// has two cores and must keep answering when many people sign in at once,
// after an outage or at nine in the morning. Throughput there is bounded by
// cores, not by how hard one hash is, so one lane (p=1) per hash lets two
// run side by side, and 19 MiB each keeps a hundred in flight under 2 GiB.
// A GPU still needs 19 MiB per guess, which is what makes argon2id costly
// to attack; spending more per hash would slow sign-ins for everyone more
// than it would slow an attacker who has the database.
var DefaultParams = Params{Memory: 19 * 1024, Iterations: 2, Parallelism: 1, SaltLen: 16, KeyLen: 32}

// Bounds on parameters, read from configuration or from a stored hash. The
// upper ones keep a corrupt or tampered row from making one Verify take a
// gigabyte or a minute: no deployment of this server runs such settings.
const (
	minSaltLen    = 8 // RFC 9106 §3.1
	maxSaltLen    = 64
	minKeyLen     = 16
	maxKeyLen     = 64
	maxMemory     = 1 << 20 // KiB, 1 GiB
	maxIterations = 64
)

// Hasher hashes and verifies passwords with argon2id. The zero value uses
// DefaultParams. A Hasher is safe for concurrent use, but each call holds
// Params.Memory for its duration: callers that may face a crowd should
// bound how many calls run at once (to about the number of cores).
type Hasher struct {
	Params Params
}

func (h Hasher) params() Params {
	if h.Params == (Params{}) {
		return DefaultParams
	}
	return h.Params
}

// Hash returns pw's argon2id hash with a fresh random salt, in the PHC
// string format: $argon2id$v=19$m=19456,t=2,p=1$salt$hash. It fails only
// when h.Params are out of bounds.
func (h Hasher) Hash(pw string) (string, error) {
	p := h.params()
	if err := p.check(); err != nil {
		return "", fmt.Errorf("password: hash: %w", err)
	}
	salt := make([]byte, p.SaltLen)
	rand.Read(salt) // never fails; a broken system source stops the program
	return encode(p, salt, derive(pw, salt, p)), nil
}

// Verify reports whether pw matches the encoded hash, comparing in
// constant time. On a match, rehash reports whether the hash was made
// with other parameters than h's, so that the caller stores a new Hash of
// pw while it has it in hand; rehash is false when ok is false. A hash
// that cannot be parsed, or whose parameters are out of bounds, is an
// error, and the message does not repeat the hash.
func (h Hasher) Verify(encoded, pw string) (ok, rehash bool, err error) {
	stored, salt, key, err := decode(encoded)
	if err != nil {
		return false, false, fmt.Errorf("password: verify: %w", err)
	}
	got := derive(pw, salt, stored)
	if subtle.ConstantTimeCompare(got, key) != 1 {
		return false, false, nil
	}
	return true, stored != h.params(), nil
}

// Dummy does the work of a Verify with h's parameters and throws the
// result away. Call it when there is no stored hash to check (the address
// has no account, or no password), so that the answer takes as long as a
// wrong password would and does not tell which addresses have one.
func (h Hasher) Dummy(pw string) {
	p := h.params()
	_, _, _ = h.Verify(encode(p, make([]byte, p.SaltLen), make([]byte, p.KeyLen)), pw)
}

// derive runs argon2id over the password in Unicode NFKC form. NIST SP
// 800-63B-4 §3.1.1.2 asks for normalisation before hashing: "é" typed as
// one code point on one keyboard and as e plus an accent on another is
// the same password to the person typing it. Changing this later would
// lock out everyone whose password it affects, so it is fixed here.
func derive(pw string, salt []byte, p Params) []byte {
	return argon2.IDKey([]byte(norm.NFKC.String(pw)), salt, p.Iterations, p.Memory, p.Parallelism, p.KeyLen)
}

func (p Params) check() error {
	switch {
	case p.Iterations < 1 || p.Iterations > maxIterations:
		return fmt.Errorf("iterations %d out of range 1 to %d", p.Iterations, maxIterations)
	case p.Parallelism < 1:
		return errors.New("parallelism must be at least 1")
	case p.Memory < 8*uint32(p.Parallelism) || p.Memory > maxMemory:
		// argon2 needs 8 KiB per lane (RFC 9106 §3.1).
		return fmt.Errorf("memory %d KiB out of range %d to %d", p.Memory, 8*uint32(p.Parallelism), maxMemory)
	case p.SaltLen < minSaltLen || p.SaltLen > maxSaltLen:
		return fmt.Errorf("salt length %d out of range %d to %d", p.SaltLen, minSaltLen, maxSaltLen)
	case p.KeyLen < minKeyLen || p.KeyLen > maxKeyLen:
		return fmt.Errorf("key length %d out of range %d to %d", p.KeyLen, minKeyLen, maxKeyLen)
	}
	return nil
}
