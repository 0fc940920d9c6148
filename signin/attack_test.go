package signin_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/signin"
)

// The attack simulations play the campaigns of the seeds against the
// real engine, store and limiter with the default limits, on a clock
// they move, and assert the bounds the README promises. Run them with -v
// to see the figures each campaign reached.

// defaults are the configuration's defaults (config.Default), as cmd
// turns them into a policy.
func defaults(p *signin.Policy) {
	p.Send = otpd.SendLimits{PerHour: 5, PerDay: 10, ResendCooldown: 30 * time.Second}
	p.Guess = otpd.GuessLimits{MaxWrong: 10, Window: 12 * time.Hour, Free: 3, Backoff: time.Minute}
	p.GuessFamiliar = otpd.GuessLimits{MaxWrong: 10, Window: 12 * time.Hour}
	p.Clients = signin.ClientLimits{
		PerIP:      otpd.Rate{Count: 30, Per: time.Hour},
		PerNetwork: otpd.Rate{Count: 120, Per: time.Hour},
		Messages:   otpd.Rate{Count: 300, Per: time.Minute},

		PasswordsPerIP:      otpd.Rate{Count: 30, Per: time.Hour},
		PasswordsPerNetwork: otpd.Rate{Count: 120, Per: time.Hour},
	}
	p.FailedGuesses, p.BreakerPause = otpd.Rate{Count: 5000, Per: time.Hour}, time.Minute
	p.Flood = signin.FloodPolicy{Networks: 3, Window: 15 * time.Minute, For: 24 * time.Hour}
}

// botIP is the i-th address of a botnet: every one in a network of its
// own, so per-IP and per-network limits never bind.
func botIP(i int) signin.Requester {
	return signin.Requester{IP: fmt.Sprintf("10.%d.%d.7", (i/256)%256, i%256), UserAgent: "bot"}
}

// scale divides the larger simulations under the race detector.
func scale(n int) int {
	if raceEnabled {
		return n / 10
	}
	return n
}

func randomCode() string { return fmt.Sprintf("%09d", rand.IntN(1_000_000_000)) }

// wait is how long an error asks the attacker to wait, at least a second.
func wait(err error) time.Duration {
	if e, ok := err.(*otpd.Error); ok && e.RetryAfter > 0 {
		return e.RetryAfter
	}
	return time.Second
}

// 30 days of brute force against one account, from as many IPs as the
// attacker likes: every code is guessed until the limits refuse, and the
// attacker waits exactly as long as told.
func TestAttackBruteForceOneAccount(t *testing.T) {
	r := newRig(t, defaults)
	victim := r.signedIn(t, "ada@example.com").Account
	end := r.clock.Now().Add(30 * 24 * time.Hour)
	for i := 0; r.clock.Now().Before(end); i++ {
		f, err := r.engine.SignIn(ctx, "ada@example.com", botIP(i))
		if err != nil {
			r.clock.Advance(wait(err))
			continue
		}
		for err == nil || otpd.ErrorCode(err) == otpd.EInvalidCode {
			_, err = r.engine.Verify(ctx, f.ID, randomCode(), botIP(i))
		}
		r.clock.Advance(wait(err))
	}
	evaluated := 0
	for _, e := range activityOf(t, r, victim.ID) {
		if e.Type == otpd.EventCodeWrong {
			evaluated++
		}
	}
	chance := float64(evaluated) / 1e9
	t.Logf("brute force, 30 days, one account: %d guesses evaluated, chance of a right one %.2g", evaluated, chance)
	if evaluated > 610 || chance >= 1e-6 {
		t.Errorf("%d guesses evaluated in 30 days, want at most 610 (chance %.2g, goal below 1e-6)", evaluated, chance)
	}
}

// A botnet spreads one guess over each of 10,000 accounts from 1,000
// IPs (a tenth of each under the race detector), within an hour: the service-wide budget stops it, and sign-in from
// unfamiliar devices pauses instead of evaluating the rest.
func TestAttackSpreadOverManyAccounts(t *testing.T) {
	accounts, ips, budget := scale(10_000), scale(1_000), scale(500)
	r := newRig(t, defaults, func(p *signin.Policy) {
		p.Clients = signin.ClientLimits{}                          // the botnet has IPs enough for any per-IP limit
		p.FailedGuesses = otpd.Rate{Count: budget, Per: time.Hour} // a tenth of the default, with the run's size
	})
	evaluated, paused := 0, 0
	for i := range accounts {
		bot := botIP(i % ips)
		f, err := r.engine.SignIn(ctx, fmt.Sprintf("user%d@example.com", i), bot)
		if err != nil {
			t.Fatal(err)
		}
		switch _, err := r.engine.Verify(ctx, f.ID, randomCode(), bot); otpd.ErrorCode(err) {
		case otpd.EInvalidCode:
			evaluated++
		case otpd.ERateLimited:
			paused++
		default:
			t.Fatalf("guess %d: %v", i, err)
		}
		r.clock.Advance(time.Hour / time.Duration(accounts))
	}
	stats := r.engine.Breaker()
	t.Logf("spread over %d accounts from %d IPs in an hour: %d guesses evaluated, %d paused, breaker tripped %d times",
		accounts, ips, evaluated, paused, stats.Trips)
	// The budget is its rate for the hour plus its burst; each trip lets
	// the guess that found it spent through.
	if max := 2*budget + int(stats.Trips); evaluated > max {
		t.Errorf("%d guesses evaluated, want at most %d", evaluated, max)
	}
	if stats.Trips == 0 || paused == 0 {
		t.Error("the breaker never tripped")
	}
}

// An inbox-bombing run: a bot asks for codes for one address every 30
// seconds for a day (every 5 minutes under the race detector), each time
// from another network. The flood is
// recognised, codes stop, and the owner gets one notice.
func TestAttackInboxBombing(t *testing.T) {
	r := newRig(t, defaults)
	r.signedIn(t, "ada@example.com")
	before := len(r.inbox(t, "ada@example.com"))
	requests := scale(2 * 60 * 24)
	for i := range requests {
		r.engine.SignIn(ctx, "ada@example.com", botIP(i))
		if _, err := r.worker.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		r.clock.Advance(24 * time.Hour / time.Duration(requests))
	}
	got := len(r.inbox(t, "ada@example.com")) - before
	t.Logf("inbox bombing, %d requests in 24 hours: the victim received %d emails", requests, got)
	if got > 4 {
		t.Errorf("the victim received %d emails in a day, want at most 4 (the codes before the flood is recognised, and 1 notice)", got)
	}
}

// A flood from many countries: the owner, on the device they signed in
// with before, still gets codes and signs in.
func TestAttackFloodOwnerStillSignsIn(t *testing.T) {
	r := newRig(t, defaults)
	device, _ := r.owner(t)
	r.clock.Advance(time.Hour) // past the hour whose caps the set-up spent
	for i, ip := range []string{"198.51.100.9", "192.0.2.9", "2001:db8:1::9", "198.51.100.10", "192.0.2.10"} {
		r.engine.SignIn(ctx, "ada@example.com", signin.Requester{IP: ip, UserAgent: fmt.Sprint("bot ", i)})
		r.clock.Advance(time.Minute)
	}
	if _, err := r.worker.RunOnce(ctx); err != nil { // the codes sent before the flood was recognised
		t.Fatal(err)
	}
	acct, err := r.store.AccountByEmail(ctx, otpd.MustParseAddress("ada@example.com"))
	if err != nil || !acct.UnderAttackAt(r.clock.Now()) {
		t.Fatalf("a flood from three countries did not put the account under attack (%v)", err)
	}
	cs, err := r.store.Campaigns(ctx, acct.ID)
	if err != nil || len(cs) != 1 {
		t.Fatalf("campaigns %d, %v", len(cs), err)
	}
	t.Logf("flood from many countries: campaign of %d requests from %q", cs[0].Requests, cs[0].Places)
	f, err := r.engine.SignIn(ctx, "ada@example.com", device)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.engine.Verify(ctx, f.ID, r.code(t, "ada@example.com"), device); err != nil {
		t.Errorf("the owner on a remembered device cannot sign in during the flood: %v", err)
	}
	res, err := r.engine.PasswordSignIn(ctx, "ada@example.com", goodPassword, device)
	if err != nil || res.Flow == nil {
		t.Fatalf("the password during a flood: %+v, %v; want a code asked for too", res, err)
	}
	if _, err := r.engine.Verify(ctx, res.Flow.ID, r.code(t, "ada@example.com"), device); err != nil {
		t.Errorf("the owner's password and code during the flood: %v", err)
	}
}

// Credential stuffing: a leaked list tried from one IP, one attempt per
// account, meets the per-IP limit on passwords whatever the accounts.
func TestAttackCredentialStuffing(t *testing.T) {
	r := newRig(t, defaults)
	bot := botIP(1)
	refused := 0
	for i := range 40 {
		_, err := r.engine.PasswordSignIn(ctx, fmt.Sprintf("user%d@example.com", i), "leaked password number "+fmt.Sprint(i), bot)
		if otpd.ErrorCode(err) == otpd.ERateLimited {
			refused++
		}
	}
	t.Logf("credential stuffing, 40 pairs from one IP: %d refused", refused)
	if refused != 10 {
		t.Errorf("%d of 40 attempts refused, want 10 (30 an hour per IP)", refused)
	}
}
