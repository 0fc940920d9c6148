package otpd

import (
	"testing"
	"time"
)

var (
	t0 = time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	// guess is the limits the guard tables run under: 5 wrong in 12 h,
	// the first 2 free, then 1 min doubling.
	guess = GuessLimits{MaxWrong: 5, Window: 12 * time.Hour, Free: 2, Backoff: time.Minute}
)

func TestGuardFail(t *testing.T) {
	noBackoff := guess
	noBackoff.Backoff = 0
	for _, tc := range []struct {
		name string
		g    Guard
		now  time.Time
		lim  GuessLimits
		want Guard
	}{
		{"first failure starts the window", Guard{}, t0, guess, Guard{Wrong: 1, WindowStart: t0}},
		{"a stale start is not the window", Guard{WindowStart: t0.Add(-time.Hour)}, t0, guess, Guard{Wrong: 1, WindowStart: t0}},
		{"within the window counts on", Guard{Wrong: 1, WindowStart: t0}, t0.Add(time.Hour), guess,
			Guard{Wrong: 2, WindowStart: t0}},
		{"the window's last instant still counts", Guard{Wrong: 1, WindowStart: t0}, t0.Add(12*time.Hour - time.Millisecond), guess,
			Guard{Wrong: 2, WindowStart: t0}},
		{"the window's end refills the budget", Guard{Wrong: 5, WindowStart: t0, LockedUntil: t0.Add(time.Hour)}, t0.Add(12 * time.Hour), guess,
			Guard{Wrong: 1, WindowStart: t0.Add(12 * time.Hour)}},
		{"long after the window", Guard{Wrong: 5, WindowStart: t0}, t0.Add(100 * time.Hour), guess,
			Guard{Wrong: 1, WindowStart: t0.Add(100 * time.Hour)}},
		{"the free failures lock nothing", Guard{Wrong: 1, WindowStart: t0}, t0, guess, Guard{Wrong: 2, WindowStart: t0}},
		{"the first beyond free locks for the backoff", Guard{Wrong: 2, WindowStart: t0}, t0, guess,
			Guard{Wrong: 3, WindowStart: t0, LockedUntil: t0.Add(time.Minute)}},
		{"the next doubles it", Guard{Wrong: 3, WindowStart: t0}, t0.Add(time.Hour), guess,
			Guard{Wrong: 4, WindowStart: t0, LockedUntil: t0.Add(time.Hour + 2*time.Minute)}},
		{"and the next again", Guard{Wrong: 4, WindowStart: t0}, t0.Add(time.Hour), guess,
			Guard{Wrong: 5, WindowStart: t0, LockedUntil: t0.Add(time.Hour + 4*time.Minute)}},
		{"the doubling stops at maxDoublings", Guard{Wrong: 2 + maxDoublings, WindowStart: t0}, t0, guess,
			Guard{Wrong: 3 + maxDoublings, WindowStart: t0, LockedUntil: t0.Add(time.Minute << maxDoublings)}},
		{"far beyond it, no overflow", Guard{Wrong: 1000, WindowStart: t0}, t0, guess,
			Guard{Wrong: 1001, WindowStart: t0, LockedUntil: t0.Add(time.Minute << maxDoublings)}},
		{"a zero backoff locks nothing", Guard{Wrong: 4, WindowStart: t0}, t0, noBackoff, Guard{Wrong: 5, WindowStart: t0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.g.Fail(tc.now, tc.lim); got != tc.want {
				t.Errorf("%+v.Fail(%v) = %+v, want %+v", tc.g, tc.now, got, tc.want)
			}
		})
	}
}

func TestGuardLockedFor(t *testing.T) {
	unlimited := guess
	unlimited.MaxWrong = 0
	for _, tc := range []struct {
		name string
		g    Guard
		now  time.Time
		lim  GuessLimits
		want time.Duration
	}{
		{"a fresh guard", Guard{}, t0, guess, 0},
		{"budget left", Guard{Wrong: 4, WindowStart: t0}, t0, guess, 0},
		{"budget spent: until the window ends", Guard{Wrong: 5, WindowStart: t0}, t0.Add(2 * time.Hour), guess, 10 * time.Hour},
		{"budget spent, window ended", Guard{Wrong: 5, WindowStart: t0}, t0.Add(12 * time.Hour), guess, 0},
		{"a zero MaxWrong is not enforced", Guard{Wrong: 100, WindowStart: t0}, t0, unlimited, 0},
		{"a zero MaxWrong keeps the backoff", Guard{Wrong: 100, WindowStart: t0, LockedUntil: t0.Add(time.Minute)}, t0, unlimited, time.Minute},
		{"backoff lockout", Guard{Wrong: 3, WindowStart: t0, LockedUntil: t0.Add(time.Minute)}, t0.Add(20 * time.Second), guess, 40 * time.Second},
		{"backoff lockout over", Guard{Wrong: 3, WindowStart: t0, LockedUntil: t0.Add(time.Minute)}, t0.Add(time.Minute), guess, 0},
		{"the longer of lockout and window", Guard{Wrong: 5, WindowStart: t0, LockedUntil: t0.Add(13 * time.Hour)}, t0, guess, 13 * time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.g.LockedFor(tc.now, tc.lim); got != tc.want {
				t.Errorf("%+v.LockedFor(%v) = %v, want %v", tc.g, tc.now, got, tc.want)
			}
		})
	}
}

func TestGuardForgive(t *testing.T) {
	own, later := t0.Add(time.Minute), t0.Add(2*time.Minute)
	for _, tc := range []struct {
		name string
		g    Guard
		a    Attempt
		want Guard
	}{
		{"takes the attempt back", Guard{Wrong: 2, WindowStart: t0}, Attempt{Failures: 2}, Guard{Wrong: 1, WindowStart: t0}},
		{"lifts its own lockout", Guard{Wrong: 3, WindowStart: t0, LockedUntil: own}, Attempt{Failures: 3, LockedUntil: own},
			Guard{Wrong: 2, WindowStart: t0}},
		{"leaves a later attempt's lockout", Guard{Wrong: 4, WindowStart: t0, LockedUntil: later}, Attempt{Failures: 3, LockedUntil: own},
			Guard{Wrong: 3, WindowStart: t0, LockedUntil: later}},
		{"leaves a lockout it did not start", Guard{Wrong: 3, WindowStart: t0, LockedUntil: own}, Attempt{Failures: 3},
			Guard{Wrong: 2, WindowStart: t0, LockedUntil: own}},
		{"never below zero", Guard{}, Attempt{}, Guard{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.g.Forgive(tc.a); got != tc.want {
				t.Errorf("%+v.Forgive(%+v) = %+v, want %+v", tc.g, tc.a, got, tc.want)
			}
		})
	}
}

func TestGuardReserve(t *testing.T) {
	for _, tc := range []struct {
		name  string
		g     Guard
		now   time.Time
		wantG Guard
		wantA Attempt
	}{
		{"a free attempt is counted", Guard{}, t0, Guard{Wrong: 1, WindowStart: t0}, Attempt{Failures: 1}},
		{"one beyond free names the lockout it would start", Guard{Wrong: 2, WindowStart: t0}, t0,
			Guard{Wrong: 3, WindowStart: t0, LockedUntil: t0.Add(time.Minute)}, Attempt{Failures: 3, LockedUntil: t0.Add(time.Minute)}},
		{"locked by backoff: refused, not counted", Guard{Wrong: 3, WindowStart: t0, LockedUntil: t0.Add(time.Minute)}, t0.Add(15 * time.Second),
			Guard{Wrong: 3, WindowStart: t0, LockedUntil: t0.Add(time.Minute)}, Attempt{RetryAfter: 45 * time.Second, Failures: 3}},
		{"budget spent: refused until the window ends", Guard{Wrong: 5, WindowStart: t0}, t0.Add(11 * time.Hour),
			Guard{Wrong: 5, WindowStart: t0}, Attempt{RetryAfter: time.Hour, Failures: 5}},
		{"the window's end refills it", Guard{Wrong: 5, WindowStart: t0}, t0.Add(12 * time.Hour),
			Guard{Wrong: 1, WindowStart: t0.Add(12 * time.Hour)}, Attempt{Failures: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, a := tc.g.Reserve(tc.now, guess)
			if g != tc.wantG || a != tc.wantA {
				t.Errorf("%+v.Reserve(%v) = %+v, %+v; want %+v, %+v", tc.g, tc.now, g, a, tc.wantG, tc.wantA)
			}
			if a.RetryAfter == 0 {
				if back := g.Forgive(a); back.Wrong != g.Wrong-1 || !back.LockedUntil.IsZero() {
					t.Errorf("forgiving the reserved attempt gives %+v, want one failure less and no lockout", back)
				}
			}
		})
	}
}

func TestVerifyGuard(t *testing.T) {
	addr, err := ParseAddress("ada@example.com")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		purpose Purpose
		ctx     SignInContext
		want    SignInContext
	}{
		{PurposeSignIn, Familiar, Familiar},
		{PurposeSignIn, Unfamiliar, Unfamiliar},
		{PurposeSignIn, "", Unfamiliar},
		{PurposeSignIn, "other", Unfamiliar},
		{PurposeSignIn, Confirming, Unfamiliar},
		{PurposeSignUp, Familiar, Familiar},
		{PurposeResetPassword, "", Unfamiliar},
		{PurposeStepUp, Familiar, Familiar},
		{PurposeChangeEmail, Familiar, Confirming},
		{PurposeChangeEmail, Unfamiliar, Confirming},
		{PurposeAddRecovery, Familiar, Confirming},
		{PurposeAddRecovery, "", Confirming},
	} {
		t.Run(string(tc.purpose)+"/"+string(tc.ctx), func(t *testing.T) {
			got := VerifyGuard(Challenge{Purpose: tc.purpose, Email: addr}, VerifyRequest{Context: tc.ctx})
			if want := (GuardKey{Email: addr, Context: tc.want}); got != want {
				t.Errorf("VerifyGuard = %v, want %v", got, want)
			}
		})
	}
}
