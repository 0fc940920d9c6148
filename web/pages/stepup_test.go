package pages

import (
	"testing"

	"github.com/otpd/otpd"
)

func TestSafeReturn(t *testing.T) {
	for in, want := range map[string]string{
		"/account/password":        "/account/password",
		"/account/password/remove": "/account/password/remove",
		"/":                        "/",
		"":                         "/",
		"https://evil.example/":    "/",
		"//evil.example":           "/",
		"/\\evil.example":          "/",
		"/account/password/../x":   "/",
		"/account/password?x=1":    "/",
		"javascript:alert(1)":      "/",
	} {
		if got := safeReturn(in); got != want {
			t.Errorf("safeReturn(%q) = %q, want %q", in, got, want)
		}
	}
}

// The pages show addresses masked with otpd.Address.Masked; this pins
// the form their wording promises.
func TestMasked(t *testing.T) {
	for in, want := range map[string]string{
		"ada@example.com":   "a•••@example.com",
		"Émile@example.org": "É•••@example.org",
	} {
		if got := otpd.MustParseAddress(in).Masked(); got != want {
			t.Errorf("masked(%q) = %q, want %q", in, got, want)
		}
	}
}
