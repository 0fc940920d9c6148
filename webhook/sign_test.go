package webhook_test

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/otpd/otpd/webhook"
)

// The example of the Standard Webhooks specification's test suites.
func TestSignMatchesTheSpecification(t *testing.T) {
	key, err := base64.StdEncoding.DecodeString("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	if err != nil {
		t.Fatal(err)
	}
	got := webhook.Sign(key, "msg_p5jXN8AQM9LWM0D4loKWxJek", time.Unix(1614265330, 0), []byte(`{"test": 2432232314}`))
	if want := "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="; got != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
}

// A derived key is the same for the same server secret and endpoint,
// and differs for another of either.
func TestDeriveKey(t *testing.T) {
	a := webhook.DeriveKey([]byte("server secret one"), "crm")
	if string(a) != string(webhook.DeriveKey([]byte("server secret one"), "crm")) {
		t.Error("DeriveKey is not stable")
	}
	if string(a) == string(webhook.DeriveKey([]byte("server secret two"), "crm")) ||
		string(a) == string(webhook.DeriveKey([]byte("server secret one"), "audit")) {
		t.Error("DeriveKey ignores its inputs")
	}
	if s := webhook.FormatSecret(a); !strings.HasPrefix(s, "whsec_") || len(a) != 32 {
		t.Errorf("FormatSecret = %s of %d bytes", s, len(a))
	}
}
