package pages

import (
	"testing"

	"github.com/otpd/otpd"
)

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
