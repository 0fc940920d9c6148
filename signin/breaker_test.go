package signin_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/signin"
)

func withBudget(p *signin.Policy) {
	p.FailedGuesses, p.BreakerPause = otpd.Rate{Count: 5, Per: time.Hour}, time.Minute
}

// A botnet that spreads guesses over many accounts spends the service's
// budget; then nothing from unfamiliar devices is evaluated until it
// refills, while remembered devices sign in as ever.
func TestBreakerPausesUnfamiliarSignIn(t *testing.T) {
	r := newRig(t, withBudget)
	device, _ := r.owner(t)
	bot := signin.Requester{IP: "198.51.100.66", UserAgent: "curl/8"}
	guess := func(i int) error {
		f := r.signIn(t, fmt.Sprintf("victim%d@example.com", i))
		_, err := r.engine.Verify(ctx, f.ID, "000000000", bot)
		return err
	}
	for i := range 6 {
		if err := guess(i); otpd.ErrorCode(err) != otpd.EInvalidCode {
			t.Fatalf("guess %d: %v, want it evaluated", i, err)
		}
	}
	err := guess(6)
	if e := wantCode(t, err, otpd.ERateLimited); e.RetryAfter < time.Minute {
		t.Errorf("paused for %s, want at least the 1m pause", e.RetryAfter)
	}
	if s := r.engine.Breaker(); !s.Open || s.Trips != 1 || s.FailedGuesses != 6 {
		t.Errorf("breaker %+v, want open after 1 trip and 6 failed guesses", s)
	}
	if n := strings.Count(r.logs.String(), "attack in progress"); n != 1 {
		t.Errorf("the operator was alerted %d times, want once", n)
	}
	res, err := r.engine.PasswordSignIn(ctx, "ada@example.com", goodPassword, device)
	if err != nil || res.SignedIn == nil {
		t.Errorf("the owner's remembered device is paused too: %v", err)
	}
	_, err = r.engine.PasswordSignIn(ctx, "ada@example.com", goodPassword, who)
	wantCode(t, err, otpd.ERateLimited)

	r.clock.Advance(12 * time.Minute) // the budget refills one guess every 12 minutes
	if err := guess(7); otpd.ErrorCode(err) != otpd.EInvalidCode {
		t.Errorf("after the budget refilled: %v, want the guess evaluated", err)
	}
	if r.engine.Breaker().Open {
		t.Error("the breaker did not close by itself")
	}
}
