package passcode_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/otpd/otpd/passcode"
)

func TestSealerSealsPerLabel(t *testing.T) {
	secret := bytes.Repeat([]byte{7}, 32)
	s, err := passcode.NewSealer(secret, "otpd/v1/test-a")
	if err != nil {
		t.Fatal(err)
	}
	plain := []byte("-----BEGIN PRIVATE KEY-----")
	sealed, err := s.Seal(plain)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, plain) {
		t.Fatal("sealed payload contains the plaintext")
	}
	again, _ := s.Seal(plain)
	if bytes.Equal(sealed, again) {
		t.Fatal("two seals of one plaintext are equal: the nonce is not random")
	}
	got, err := s.Open(sealed)
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("Open = %q, %v", got, err)
	}
	other, _ := passcode.NewSealer(secret, "otpd/v1/test-b")
	otherSecret, _ := passcode.NewSealer(bytes.Repeat([]byte{8}, 32), "otpd/v1/test-a")
	tampered := bytes.Clone(sealed)
	tampered[len(tampered)-1] ^= 1
	for name, tc := range map[string]struct {
		s      *passcode.Sealer
		sealed []byte
	}{
		"other label":  {other, sealed},
		"other secret": {otherSecret, sealed},
		"tampered":     {s, tampered},
		"short":        {s, sealed[:5]},
		"empty":        {s, nil},
	} {
		if _, err := tc.s.Open(tc.sealed); !errors.Is(err, passcode.ErrUnsealable) {
			t.Errorf("%s: Open err = %v, want ErrUnsealable", name, err)
		}
	}
	// The outbox's Book must not open it either: its key has its own label.
	b, _ := passcode.New(secret, 9)
	if _, err := b.Open(sealed); !errors.Is(err, passcode.ErrUnsealable) {
		t.Errorf("the outbox seal opened a sealer's payload: %v", err)
	}
}

func TestSealerAndDeriveRefuseWeakInput(t *testing.T) {
	if _, err := passcode.NewSealer(make([]byte, 31), "x"); err == nil {
		t.Error("NewSealer took a 31-byte secret")
	}
	if _, err := passcode.NewSealer(make([]byte, 32), ""); err == nil {
		t.Error("NewSealer took an empty label")
	}
	if _, err := passcode.Derive32(make([]byte, 31), "x"); err == nil {
		t.Error("Derive32 took a 31-byte secret")
	}
	if _, err := passcode.Derive32(make([]byte, 32), ""); err == nil {
		t.Error("Derive32 took an empty label")
	}
}

func TestDerive32IsStablePerLabel(t *testing.T) {
	secret := bytes.Repeat([]byte{7}, 32)
	a1, _ := passcode.Derive32(secret, "otpd/v1/a")
	a2, _ := passcode.Derive32(secret, "otpd/v1/a")
	b, _ := passcode.Derive32(secret, "otpd/v1/b")
	if a1 != a2 {
		t.Error("one label derived two keys: nodes would disagree")
	}
	if a1 == b {
		t.Error("two labels derived one key")
	}
	if bytes.Contains(a1[:], secret[:8]) {
		t.Error("the derived key shows the secret")
	}
}
