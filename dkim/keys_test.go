package dkim_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/otpd/otpd/dkim"
)

func TestWriteKeyLoadKeyRoundTrip(t *testing.T) {
	rsaKey, err := dkim.GenerateRSA()
	if err != nil {
		t.Fatal(err)
	}
	edKey, err := dkim.GenerateEd25519()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for name, key := range map[string]crypto.Signer{"rsa.pem": rsaKey, "ed25519.pem": edKey} {
		path := filepath.Join(dir, name)
		if err := dkim.WriteKey(path, key); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", name, fi.Mode().Perm())
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(string(data), "-----BEGIN PRIVATE KEY-----") {
			t.Errorf("%s is not PKCS#8 PEM:\n%s", name, data)
		}
		got, err := dkim.LoadKey(path)
		if err != nil {
			t.Fatal(err)
		}
		if !key.(interface{ Equal(crypto.PrivateKey) bool }).Equal(got) {
			t.Errorf("%s: loaded key differs from the written one", name)
		}

		// A key published in DNS must never be replaced by accident.
		err = dkim.WriteKey(path, key)
		if !errors.Is(err, fs.ErrExist) {
			t.Errorf("second WriteKey to %s: got %v, want an error wrapping fs.ErrExist", name, err)
		}
	}
}

// openssl genrsa writes PKCS#1; many existing DKIM setups keep such files.
func TestLoadKeyPKCS1(t *testing.T) {
	key, err := dkim.GenerateRSA()
	if err != nil {
		t.Fatal(err)
	}
	path := writePEM(t, "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(key))
	got, err := dkim.LoadKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if !key.Equal(got) {
		t.Error("loaded PKCS#1 key differs")
	}
}

func TestLoadKeyRefuses(t *testing.T) {
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecDER, err := x509.MarshalPKCS8PrivateKey(ec)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		path string
		want string
	}{
		{"1024-bit RSA", writePEM(t, "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(small)), "1024 bits"},
		{"ECDSA", writePEM(t, "PRIVATE KEY", ecDER), "cannot sign DKIM"},
		{"certificate", writePEM(t, "CERTIFICATE", []byte{1, 2, 3}), "not a private key"},
		{"encrypted", writePEM(t, "ENCRYPTED PRIVATE KEY", []byte{1, 2, 3}), "encrypted"},
		{"garbage DER", writePEM(t, "PRIVATE KEY", []byte{1, 2, 3}), "parse PRIVATE KEY"},
		{"not PEM", writeFile(t, []byte("hello")), "no PEM block"},
		{"missing", filepath.Join(t.TempDir(), "absent.pem"), "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := dkim.LoadKey(tt.path)
			if err == nil {
				t.Fatal("LoadKey accepted it")
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), tt.path) {
				t.Errorf("error %q should name the file and contain %q", err, tt.want)
			}
		})
	}
}

func writePEM(t *testing.T, typ string, der []byte) string {
	t.Helper()
	return writeFile(t, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}))
}

func writeFile(t *testing.T, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "key.pem")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
