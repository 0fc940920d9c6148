package storetest

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/otpd/otpd"
)

// These tests hold invariants 2 and 3 under contention: however many
// requests race, the store evaluates no more guesses, and starts no more
// sessions, than the limits allow. Every call must succeed: a store that
// answers "busy" under load fails them.
var concurrencyTests = []test{
	{"WrongCodesOneChallenge", testConcurrentWrong},
	{"RightCodeOnce", testConcurrentRight},
	{"WrongCodesAcrossFlows", testConcurrentBudget},
	{"RequestsPerHour", testConcurrentRequests},
	{"OneFirstKey", testConcurrentFirstKey},
	{"CodeRedeemedOnce", testConcurrentCodeRedeem},
	{"RefreshRotatedOnce", testConcurrentRefresh},
}

// race runs f(i) for i in [0, n) at once and returns the outcomes.
func race(t *testing.T, n int, f func(i int) (otpd.VerifyResult, error)) []otpd.VerifyResult {
	t.Helper()
	results := make([]otpd.VerifyResult, n)
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			results[i], errs[i] = f(i)
		})
	}
	close(start)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("concurrent calls failed: %v", err)
	}
	return results
}

func countOutcomes(results []otpd.VerifyResult) map[otpd.VerifyOutcome]int {
	n := make(map[otpd.VerifyOutcome]int)
	for _, r := range results {
		n[r.Outcome]++
	}
	return n
}

func testConcurrentWrong(t *testing.T, s otpd.Store) {
	acct, _ := signUp(t, s, "sam@example.com", t0.Add(-24*time.Hour))
	ch := mustRequest(t, s, codeRequest("sam@example.com", acct.ID, t0))
	const n = 50
	results := race(t, n, func(i int) (otpd.VerifyResult, error) {
		return s.VerifyCode(t.Context(), verifyRequest(ch, wrongCode, t0.Add(time.Minute)))
	})
	got := countOutcomes(results)
	if got[otpd.OutcomeWrong] != maxAttempts || got[otpd.OutcomeExhausted] != n-maxAttempts {
		t.Errorf("outcomes %v, want %d wrong and %d exhausted", got, maxAttempts, n-maxAttempts)
	}
	if c := latest(t, s, ch.FlowID); c.Attempts != maxAttempts || c.Status != otpd.StatusExhausted {
		t.Errorf("stored challenge: %d attempts, %s; want %d, exhausted", c.Attempts, c.Status, maxAttempts)
	}
	if k := countEvents(t, s, acct.ID, otpd.EventCodeWrong); k != maxAttempts {
		t.Errorf("%d %s events, want %d", k, otpd.EventCodeWrong, maxAttempts)
	}
}

// Many submissions of the right sign-up code: one verifies, creating one
// account and one session; the rest find the code used.
func testConcurrentRight(t *testing.T, s otpd.Store) {
	ch := mustRequest(t, s, codeRequest("tara@example.com", "", t0))
	const n = 20
	reqs := make([]otpd.VerifyRequest, n)
	for i := range reqs {
		reqs[i] = verifyRequest(ch, rightCode, t0.Add(time.Minute))
	}
	results := race(t, n, func(i int) (otpd.VerifyResult, error) {
		return s.VerifyCode(t.Context(), reqs[i])
	})
	got := countOutcomes(results)
	if got[otpd.OutcomeVerified] != 1 || got[otpd.OutcomeClosed] != n-1 {
		t.Fatalf("outcomes %v, want 1 verified and %d closed", got, n-1)
	}
	sessions, created := 0, 0
	var acct otpd.Account
	for i, r := range results {
		if r.AccountCreated {
			created++
		}
		if r.Outcome == otpd.OutcomeVerified {
			acct = r.Account
		}
		if _, err := s.SessionByTokenHash(t.Context(), reqs[i].Session.TokenHash); err == nil {
			sessions++
		}
	}
	if sessions != 1 || created != 1 {
		t.Errorf("%d sessions and %d accounts created, want 1 and 1", sessions, created)
	}
	if k := countEvents(t, s, acct.ID, otpd.EventSessionStarted); k != 1 {
		t.Errorf("%d %s events, want 1", k, otpd.EventSessionStarted)
	}
}

// Wrong codes racing across many flows of one address spend its budget
// exactly: fresh flows buy no fresh guesses.
func testConcurrentBudget(t *testing.T, s otpd.Store) {
	const flows, perFlow, budget = 10, 5, 10
	typed := []string{"uma@example.com", "Uma@example.com", "UMA@example.com"}
	chs := make([]otpd.Challenge, flows)
	for i := range chs {
		chs[i] = mustRequest(t, s, codeRequest(typed[i%len(typed)], "", t0.Add(time.Duration(i)*time.Second)))
	}
	guess := otpd.GuessLimits{MaxWrong: budget, Window: time.Hour}
	results := race(t, flows*perFlow, func(i int) (otpd.VerifyResult, error) {
		vr := verifyRequest(chs[i%flows], wrongCode, t0.Add(time.Minute))
		vr.Guess = guess
		return s.VerifyCode(t.Context(), vr)
	})
	got := countOutcomes(results)
	if got[otpd.OutcomeWrong] != budget || got[otpd.OutcomeLocked]+got[otpd.OutcomeExhausted] != flows*perFlow-budget {
		t.Errorf("outcomes %v, want %d wrong and the rest locked or exhausted", got, budget)
	}
	attempts := 0
	for _, ch := range chs {
		attempts += latest(t, s, ch.FlowID).Attempts
	}
	if attempts != budget {
		t.Errorf("%d attempts counted across flows, want %d", attempts, budget)
	}
}

// Racing requests for one address never send more codes than the cap.
func testConcurrentRequests(t *testing.T, s otpd.Store) {
	const n, perHour = 20, 3
	limits := otpd.SendLimits{PerHour: perHour, PerDay: 100}
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			req := codeRequest("vera@example.com", "", t0)
			req.Limits = limits
			<-start
			errs[i] = s.RequestCode(t.Context(), req)
		})
	}
	close(start)
	wg.Wait()
	sent := 0
	for _, err := range errs {
		var le *otpd.LimitError
		switch {
		case err == nil:
			sent++
		case errors.As(err, &le) && le.Limit == otpd.LimitPerHour:
		default:
			t.Errorf("RequestCode: %v, want nil or a per-hour LimitError", err)
		}
	}
	if sent != perHour {
		t.Errorf("%d of %d concurrent requests sent a code, want %d", sent, n, perHour)
	}
	wantQueued(t, s, otpd.MustParseAddress("vera@example.com"), t0, t0, perHour)
}
