package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/otpd/otpd"
)

// A guard counts an account's failures in one context. Password attempts
// are reserved against it before the (slow) password check, so that no
// number of concurrent guesses checks more passwords than it allows.
var guardTests = []test{
	{"ConcurrentReservations", testGuardConcurrent},
	{"Backoff", testGuardBackoff},
	{"Forgive", testGuardForgive},
	{"ForgiveKeepsLaterLockout", testGuardForgiveLater},
	{"WindowRefills", testGuardWindow},
	{"KeysIndependent", testGuardKeys},
}

var (
	// budgetOnly refuses after MaxWrong failures, with no lockout before.
	budgetOnly = otpd.GuessLimits{MaxWrong: 10, Window: time.Hour}
	// backoff locks out for a minute after two free failures, doubling.
	backoff = otpd.GuessLimits{MaxWrong: 10, Window: time.Hour, Free: 2, Backoff: time.Minute}
)

func guardKey(email string, c otpd.SignInContext) otpd.GuardKey {
	return otpd.GuardKey{Email: otpd.MustParseAddress(email), Context: c}
}

func reserve(t *testing.T, s otpd.Store, key otpd.GuardKey, now time.Time, lim otpd.GuessLimits) otpd.Attempt {
	t.Helper()
	a, err := s.ReserveAttempt(t.Context(), key, now, lim)
	if err != nil {
		t.Fatalf("ReserveAttempt(%s) at %s: %v", key, now.Sub(t0), err)
	}
	return a
}

func forgive(t *testing.T, s otpd.Store, key otpd.GuardKey, a otpd.Attempt) {
	t.Helper()
	if err := s.ForgiveAttempt(t.Context(), key, a); err != nil {
		t.Fatalf("ForgiveAttempt(%s): %v", key, err)
	}
}

// wantAttempt checks what a reservation decided. locked is when the
// lockout it would start ends, as an offset from t0, or 0 for none.
func wantAttempt(t *testing.T, what string, got otpd.Attempt, retryAfter time.Duration, failures int, locked time.Duration) {
	t.Helper()
	var until time.Time
	if locked > 0 {
		until = t0.Add(locked)
	}
	if got.RetryAfter != retryAfter || got.Failures != failures || !got.LockedUntil.Equal(until) {
		t.Errorf("%s: retry after %s, %d failures, locks until %v; want %s, %d, %v",
			what, got.RetryAfter, got.Failures, got.LockedUntil, retryAfter, failures, until)
	}
}

// However many attempts race, the guard lets through exactly what its
// limits allow, and each of those sees its own count.
func testGuardConcurrent(t *testing.T, s otpd.Store) {
	for _, tc := range []struct {
		lim     otpd.GuessLimits
		allowed int
		retry   time.Duration
	}{
		{budgetOnly, budgetOnly.MaxWrong, budgetOnly.Window},
		{backoff, backoff.Free + 1, backoff.Backoff},
	} {
		key := guardKey(newID("jo")+"@example.com", otpd.Unfamiliar)
		const n = 50
		attempts := make([]otpd.Attempt, n)
		errs := make([]error, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				<-start
				attempts[i], errs[i] = s.ReserveAttempt(t.Context(), key, t0, tc.lim)
			})
		}
		close(start)
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatalf("concurrent ReserveAttempt: %v", err)
		}
		allowed, counts := 0, make(map[int]bool)
		for _, a := range attempts {
			switch {
			case a.RetryAfter == 0:
				allowed++
				counts[a.Failures] = true
			case a.RetryAfter != tc.retry:
				t.Errorf("%+v: refused with retry after %s, want %s", tc.lim, a.RetryAfter, tc.retry)
			}
		}
		if allowed != tc.allowed || len(counts) != allowed || counts[0] || counts[allowed+1] {
			t.Errorf("%+v: %d of %d concurrent attempts allowed, counting %v; want %d, each its own count",
				tc.lim, allowed, n, counts, tc.allowed)
		}
	}
}

// After the free failures, each one locks the context out, twice as long
// as the one before; while locked, an attempt is refused and not counted.
func testGuardBackoff(t *testing.T, s otpd.Store) {
	key := guardKey("kofi@example.com", otpd.Unfamiliar)
	for i, step := range []struct {
		at, retryAfter time.Duration
		failures       int
		locked         time.Duration
	}{
		{0, 0, 1, 0},
		{0, 0, 2, 0},
		{0, 0, 3, time.Minute},
		{0, time.Minute, 3, 0},
		{30 * time.Second, 30 * time.Second, 3, 0},
		{time.Minute, 0, 4, 3 * time.Minute},
		{2 * time.Minute, time.Minute, 4, 0},
		{3 * time.Minute, 0, 5, 7 * time.Minute},
	} {
		got := reserve(t, s, key, t0.Add(step.at), backoff)
		wantAttempt(t, fmt.Sprintf("attempt %d at %s", i+1, step.at), got, step.retryAfter, step.failures, step.locked)
	}
}

// A right password takes its reservation back: it lifts the lockout it
// would have started, and does not count towards the next.
func testGuardForgive(t *testing.T, s otpd.Store) {
	key := guardKey("lena@example.com", otpd.Unfamiliar)
	reserve(t, s, key, t0, backoff)
	reserve(t, s, key, t0, backoff)
	right := reserve(t, s, key, t0, backoff)
	wantAttempt(t, "third attempt", right, 0, 3, time.Minute)
	forgive(t, s, key, right)
	next := reserve(t, s, key, t0, backoff)
	wantAttempt(t, "attempt after a forgiven one", next, 0, 3, time.Minute)
}

// Forgiving an attempt whose lockout a later failure has replaced leaves
// the later one in place: a right password does not let a guesser in.
func testGuardForgiveLater(t *testing.T, s otpd.Store) {
	key := guardKey("milo@example.com", otpd.Unfamiliar)
	reserve(t, s, key, t0, backoff)
	reserve(t, s, key, t0, backoff)
	right := reserve(t, s, key, t0, backoff)
	wantAttempt(t, "fourth attempt", reserve(t, s, key, t0.Add(time.Minute), backoff), 0, 4, 3*time.Minute)
	forgive(t, s, key, right)
	wantAttempt(t, "attempt after a late forgiveness", reserve(t, s, key, t0.Add(time.Minute), backoff),
		2*time.Minute, 3, 0)
}

// The window is fixed from its first failure, and only its end refills the
// budget.
func testGuardWindow(t *testing.T, s otpd.Store) {
	key := guardKey("nora@example.com", otpd.Unfamiliar)
	lim := otpd.GuessLimits{MaxWrong: 3, Window: time.Hour}
	for i := range 3 {
		wantAttempt(t, "attempt within the budget", reserve(t, s, key, t0.Add(time.Duration(i)*10*time.Minute), lim), 0, i+1, 0)
	}
	wantAttempt(t, "attempt past the budget", reserve(t, s, key, t0.Add(30*time.Minute), lim), 30*time.Minute, 3, 0)
	wantAttempt(t, "attempt just before the window ends", reserve(t, s, key, t0.Add(time.Hour-time.Millisecond), lim),
		time.Millisecond, 3, 0)
	wantAttempt(t, "attempt at the window's end", reserve(t, s, key, t0.Add(time.Hour), lim), 0, 1, 0)
}

// Each address and context has its own guard, so that an attacker who
// spends the unfamiliar one leaves the owner's known device its budget.
// The address is compared as an account's is, whatever its case.
func testGuardKeys(t *testing.T, s otpd.Store) {
	lim := otpd.GuessLimits{MaxWrong: 2, Window: time.Hour}
	spent := guardKey("olga@example.com", otpd.Unfamiliar)
	reserve(t, s, spent, t0, lim)
	reserve(t, s, spent, t0, lim)
	wantAttempt(t, "spent guard", reserve(t, s, spent, t0, lim), time.Hour, 2, 0)
	wantAttempt(t, "spent guard, address typed otherwise",
		reserve(t, s, guardKey("Olga@example.com", otpd.Unfamiliar), t0, lim), time.Hour, 2, 0)
	wantAttempt(t, "familiar guard of the address", reserve(t, s, guardKey("olga@example.com", otpd.Familiar), t0, lim), 0, 1, 0)
	wantAttempt(t, "another address", reserve(t, s, guardKey("olga@example.org", otpd.Unfamiliar), t0, lim), 0, 1, 0)
}
