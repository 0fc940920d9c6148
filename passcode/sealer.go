package passcode

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"fmt"
	"io"
)

// Sealer seals secrets other than outbox payloads (an OpenID Connect
// signing key, say) under a key of their own derived from the server
// secret and a label: a payload sealed for one use cannot be opened as
// another's, and every node sharing the secret opens what any sealed.
// A Sealer is safe for concurrent use.
type Sealer struct {
	aead cipher.AEAD
}

// NewSealer returns a Sealer whose AES-256-GCM key is derived from secret
// and label. The label names the use, as "otpd/v1/oidc-signing-key"; a
// new use takes a new label.
func NewSealer(secret []byte, label string) (*Sealer, error) {
	if len(secret) < MinSecretLen {
		return nil, fmt.Errorf("passcode: secret has %d bytes, want at least %d", len(secret), MinSecretLen)
	}
	if label == "" {
		return nil, fmt.Errorf("passcode: a sealer needs a label")
	}
	block, err := aes.NewCipher(derive(secret, label))
	if err != nil {
		return nil, fmt.Errorf("passcode: sealer %s: %w", label, err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("passcode: sealer %s: %w", label, err)
	}
	return &Sealer{aead: aead}, nil
}

// Seal encrypts plaintext under a random nonce, which it prepends.
func (s *Sealer) Seal(plaintext []byte) ([]byte, error) {
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(plaintext)+s.aead.Overhead())
	if _, err := io.ReadFull(rand.Reader, nonce); err != nil {
		return nil, fmt.Errorf("passcode: seal: %w", err)
	}
	return s.aead.Seal(nonce, nonce, plaintext, nil), nil
}

// Open reverses Seal; anything cut, altered or sealed under another secret
// or label is ErrUnsealable.
func (s *Sealer) Open(sealed []byte) ([]byte, error) {
	n := s.aead.NonceSize()
	if len(sealed) < n+s.aead.Overhead() {
		return nil, ErrUnsealable
	}
	out, err := s.aead.Open(nil, sealed[:n], sealed[n:], nil)
	if err != nil {
		return nil, ErrUnsealable
	}
	return out, nil
}

// Derive32 returns a 32-byte key for label derived from secret, for a
// library that takes a key rather than a sealer (the OpenID Connect
// provider's token crypto): every node derives the same key, and no other
// use's key can be told from it.
func Derive32(secret []byte, label string) ([32]byte, error) {
	var k [32]byte
	if len(secret) < MinSecretLen {
		return k, fmt.Errorf("passcode: secret has %d bytes, want at least %d", len(secret), MinSecretLen)
	}
	if label == "" {
		return k, fmt.Errorf("passcode: a derived key needs a label")
	}
	copy(k[:], derive(secret, label))
	return k, nil
}
