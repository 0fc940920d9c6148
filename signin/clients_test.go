package signin_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/signin"
)

// One source cannot make codes rain on many addresses: past its rate it is
// refused whichever address it names, the refusal is recorded for that
// address, and another network is not affected.
func TestClientLimits(t *testing.T) {
	r := newRig(t, func(p *signin.Policy) {
		p.Clients.PerIP = otpd.Rate{Count: 3, Per: time.Hour}
		p.Clients.PerNetwork = otpd.Rate{Count: 5, Per: time.Hour}
	})
	owner := r.signedIn(t, "owner@example.com")
	from := func(ip string) signin.Requester { return signin.Requester{IP: ip, UserAgent: "bot"} }
	for i := range 2 {
		if _, err := r.engine.SignIn(ctx, fmt.Sprintf("a%d@example.com", i), from("203.0.113.7")); err != nil {
			t.Fatal(err)
		}
	}
	_, err := r.engine.SignIn(ctx, "owner@example.com", from("203.0.113.7"))
	if e := wantCode(t, err, otpd.ERateLimited); e.RetryAfter != 20*time.Minute {
		t.Errorf("RetryAfter %v, want 20m (one code per 20 minutes)", e.RetryAfter)
	}
	evs, _ := r.engine.Activity(ctx, r.as(owner.Token), 1)
	if len(evs) != 1 || evs[0].Type != otpd.EventCodeRefused || evs[0].IP != "203.0.113.7" {
		t.Errorf("the refused request is not in the owner's record: %+v", evs)
	}
	// The same /24 has two more; then the network is spent too.
	for _, ip := range []string{"203.0.113.8", "203.0.113.9"} {
		if _, err := r.engine.SignIn(ctx, "b@example.com", from(ip)); err != nil {
			t.Fatalf("%s: %v", ip, err)
		}
	}
	_, err = r.engine.SignIn(ctx, "c@example.com", from("203.0.113.10"))
	wantCode(t, err, otpd.ERateLimited)
	if _, err := r.engine.SignIn(ctx, "c@example.com", from("198.51.100.1")); err != nil {
		t.Errorf("another network: %v", err)
	}
	// IPv6 addresses of one /64 share a limit.
	for i := range 5 {
		if _, err := r.engine.SignIn(ctx, fmt.Sprintf("v6-%d@example.com", i), from(fmt.Sprintf("2001:db8::%x", i+1))); err != nil {
			t.Fatal(err)
		}
	}
	_, err = r.engine.SignIn(ctx, "v6@example.com", from("2001:db8::ff"))
	wantCode(t, err, otpd.ERateLimited)
	r.clock.Advance(time.Hour)
	if _, err := r.engine.SignIn(ctx, "owner@example.com", from("203.0.113.7")); err != nil {
		t.Errorf("an hour later: %v", err)
	}
}
