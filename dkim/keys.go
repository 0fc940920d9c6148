// Package dkim makes, stores and loads DKIM keys, and signs outgoing
// messages so that a receiver (and otpd's own inspect) can prove they came
// from the domain that claims them.
//
// Keys are kept as PEM files: PKCS#8 ("PRIVATE KEY") when otpd writes them,
// and also PKCS#1 ("RSA PRIVATE KEY") on reading, because that is what
// `openssl genrsa` and many existing DKIM setups have on disk.
package dkim

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
)

// MinRSABits is the smallest RSA key LoadKey accepts. RFC 8301 requires
// verifiers to accept 1024 to 4096 bits and signers to use at least 1024;
// large receivers treat anything under 2048 as weak, so otpd refuses it
// rather than sign mail that will be judged suspicious.
const MinRSABits = 2048

// GenerateRSA makes a new 2048-bit RSA key: the size every receiver
// verifies, and whose TXT record still fits the common DNS tooling.
func GenerateRSA() (*rsa.PrivateKey, error) {
	k, err := rsa.GenerateKey(rand.Reader, MinRSABits)
	if err != nil {
		return nil, fmt.Errorf("dkim: generate RSA key: %w", err)
	}
	return k, nil
}

// GenerateEd25519 makes a new Ed25519 key (RFC 8463). Sign with it in
// addition to RSA, never instead: not every receiver verifies Ed25519.
func GenerateEd25519() (ed25519.PrivateKey, error) {
	_, k, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("dkim: generate Ed25519 key: %w", err)
	}
	return k, nil
}

// WriteKey writes key to path as a PKCS#8 PEM file readable by its owner
// only. It refuses to replace an existing file: overwriting a key whose
// public half is published in DNS would silently break every signature.
func WriteKey(path string, key crypto.Signer) error {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return fmt.Errorf("dkim: write key %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("dkim: write key: %w", err)
	}
	err = pem.Encode(f, &pem.Block{Type: "PRIVATE KEY", Bytes: der})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		// A half-written key must not be mistaken for a good one later.
		_ = os.Remove(path)
		return fmt.Errorf("dkim: write key %s: %w", path, err)
	}
	return nil
}

// LoadKey reads a private key from a PEM file: PKCS#1 "RSA PRIVATE KEY",
// or PKCS#8 "PRIVATE KEY" holding an RSA or Ed25519 key, as `openssl
// genrsa` and `openssl genpkey` write them. RSA keys under MinRSABits, other
// key types and encrypted files are refused with an error naming the file.
func LoadKey(path string) (crypto.Signer, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("dkim: load key: %w", err)
	}
	key, err := parseKey(data)
	if err != nil {
		return nil, fmt.Errorf("dkim: load key %s: %w", path, err)
	}
	return key, nil
}

func parseKey(data []byte) (crypto.Signer, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New("no PEM block found (want a PEM private key)")
	}
	var (
		key any
		err error
	)
	switch block.Type {
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "ENCRYPTED PRIVATE KEY":
		return nil, errors.New("the key is encrypted; store it unencrypted with mode 0600")
	default:
		return nil, fmt.Errorf("PEM block %q is not a private key (want \"PRIVATE KEY\" or \"RSA PRIVATE KEY\")", block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", block.Type, err)
	}
	switch k := key.(type) {
	case *rsa.PrivateKey:
		if bits := k.N.BitLen(); bits < MinRSABits {
			return nil, fmt.Errorf("RSA key has %d bits; DKIM keys need at least %d", bits, MinRSABits)
		}
		return k, nil
	case ed25519.PrivateKey:
		return k, nil
	default:
		return nil, fmt.Errorf("%T keys cannot sign DKIM (want RSA or Ed25519)", key)
	}
}

// TXTRecord returns the DNS TXT record that publishes pub for selector and
// domain: its name ("selector._domainkey.domain") and its value. An RSA
// value is longer than one 255-byte DNS string; zone files and DNS
// providers split it into several strings, which receivers join again.
func TXTRecord(selector, domain string, pub crypto.PublicKey) (name, value string, err error) {
	name = selector + "._domainkey." + domain
	switch k := pub.(type) {
	case *rsa.PublicKey:
		der, err := x509.MarshalPKIXPublicKey(k)
		if err != nil {
			return "", "", fmt.Errorf("dkim: TXT record for %s: %w", name, err)
		}
		return name, "v=DKIM1; k=rsa; p=" + base64.StdEncoding.EncodeToString(der), nil
	case ed25519.PublicKey:
		// RFC 8463 §4.2: the raw 32-byte key, not a SubjectPublicKeyInfo.
		return name, "v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(k), nil
	default:
		return "", "", fmt.Errorf("dkim: TXT record for %s: %T is not an RSA or Ed25519 public key", name, pub)
	}
}
