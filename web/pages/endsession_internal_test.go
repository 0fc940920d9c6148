package pages

import (
	"testing"
	"time"

	"github.com/otpd/otpd"
)

// An id_token_hint names this session when its auth_time is the
// session's start, or its step-up, which later ID tokens carry; not one
// of another account or of an earlier session.
func TestHintsAt(t *testing.T) {
	start := time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC)
	s := otpd.Session{AccountID: "acct", CreatedAt: start.Add(300 * time.Millisecond), SteppedUpAt: start.Add(time.Hour)}
	for _, tt := range []struct {
		account string
		at      time.Time
		want    bool
	}{
		{"acct", start, true},
		{"acct", start.Add(time.Hour), true},
		{"acct", start.Add(-time.Hour), false},
		{"acct", start.Add(30 * time.Minute), false},
		{"other", start, false},
		{"", start, false},
	} {
		if got := hintsAt(otpd.EndSession{AccountID: tt.account, SignedInAt: tt.at}, s); got != tt.want {
			t.Errorf("hint of %q at %s: %v, want %v", tt.account, tt.at.Sub(start), got, tt.want)
		}
	}
}
