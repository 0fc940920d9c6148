package dkim_test

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"testing"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/dkim"
	"github.com/otpd/otpd/mail"
)

// The benchmarks measure signing one code email as otpd sends it (the
// real templates, text and HTML), with RSA-2048 alone and with Ed25519 as
// well, beside the bare RSA and Ed25519 operations: the difference is
// what canonicalization, hashing and the signer around them cost. The
// RSA rate here bounds how many messages a second one core can sign.
// Run them with
//
//	go test -run XXX -bench . -benchmem ./dkim/

func codeEmail(b *testing.B) []byte {
	b.Helper()
	at := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	c := &mail.Composer{From: "Example Accounts <accounts@example.com>", PublicURL: "https://login.example.com", Product: "otpd"}
	e, err := c.Compose(otpd.OutboxMessage{ID: "m1", MessageID: "<c1@login.example.com>", Kind: otpd.MessageCode,
		To: otpd.MustParseAddress("ada@example.org"), CreatedAt: at},
		otpd.MessageData{Code: "123456789", Purpose: otpd.PurposeSignIn, RequestedAt: at, ExpiresAt: at.Add(10 * time.Minute),
			IP: "198.51.100.23", UserAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0",
			Place: "Lagos, Nigeria", DenyToken: "c1.tag"})
	if err != nil {
		b.Fatal(err)
	}
	raw, err := mail.Render(e)
	if err != nil {
		b.Fatal(err)
	}
	return raw
}

func benchKeys(b *testing.B) (*rsa.PrivateKey, ed25519.PrivateKey) {
	b.Helper()
	r, err := dkim.GenerateRSA()
	if err != nil {
		b.Fatal(err)
	}
	e, err := dkim.GenerateEd25519()
	if err != nil {
		b.Fatal(err)
	}
	return r, e
}

func BenchmarkSign(b *testing.B) {
	raw := codeEmail(b)
	rsaKey, edKey := benchKeys(b)
	b.Run("RSA-2048", func(b *testing.B) {
		s := &dkim.Signer{Domain: "example.com", Selector: "otpd", RSA: rsaKey}
		b.SetBytes(int64(len(raw)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := s.Sign(raw); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("RSA-2048+Ed25519", func(b *testing.B) {
		s := &dkim.Signer{Domain: "example.com", Selector: "otpd", RSA: rsaKey, Ed25519: edKey}
		b.SetBytes(int64(len(raw)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := s.Sign(raw); err != nil {
				b.Fatal(err)
			}
		}
	})
	// The bare operations, over a SHA-256 digest as DKIM signs one.
	digest := sha256.Sum256(raw)
	b.Run("bare RSA-2048 PKCS1v15", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := rsa.SignPKCS1v15(rand.Reader, rsaKey, crypto.SHA256, digest[:]); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("bare Ed25519", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			ed25519.Sign(edKey, digest[:])
		}
	})
}

// BenchmarkSignParallel signs on every core at once: 1e9/ns-op is the
// most messages a second this machine can sign.
func BenchmarkSignParallel(b *testing.B) {
	raw := codeEmail(b)
	rsaKey, _ := benchKeys(b)
	s := &dkim.Signer{Domain: "example.com", Selector: "otpd", RSA: rsaKey}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := s.Sign(raw); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
