package sqlstore

import (
	"time"

	"github.com/otpd/otpd"
)

// Guard is one account's failures in one context in its current window,
// and the lockout the last of them started.
type Guard struct {
	Wrong       int
	WindowStart time.Time
	LockedUntil time.Time
}

// LockedFor returns how long the guard stays locked at now, or 0: until
// its window ends once the budget is spent, or until the backoff lockout
// ends. A MaxWrong of zero or less is not enforced.
func (g Guard) LockedFor(now time.Time, lim otpd.GuessLimits) time.Duration {
	wait := g.LockedUntil.Sub(now)
	if lim.MaxWrong > 0 && g.Wrong >= lim.MaxWrong {
		wait = max(wait, g.WindowStart.Add(lim.Window).Sub(now))
	}
	return max(0, wait)
}

// maxDoublings bounds the backoff's exponent, so that a long window with
// a small Free cannot overflow a Duration.
const maxDoublings = 20

// Fail returns the guard after one more failure at now. The window is
// fixed: it starts at the first failure after the previous window ended,
// and only its end refills the budget; a new code or a success does not,
// or an attacker could buy guesses by opening flows or by waiting for the
// owner to sign in. Each failure beyond Free locks the context out for
// twice as long as the one before.
func (g Guard) Fail(now time.Time, lim otpd.GuessLimits) Guard {
	if g.Wrong == 0 || !now.Before(g.WindowStart.Add(lim.Window)) {
		g = Guard{WindowStart: now}
	}
	g.Wrong++
	if over := g.Wrong - lim.Free; lim.Backoff > 0 && over > 0 {
		g.LockedUntil = now.Add(lim.Backoff << min(over-1, maxDoublings))
	}
	return g
}

// Forgive returns the guard with a reserved attempt taken back, and the
// lockout that attempt started, if it is still the guard's, lifted.
func (g Guard) Forgive(a otpd.Attempt) Guard {
	g.Wrong = max(0, g.Wrong-1)
	if g.LockedUntil.Equal(a.LockedUntil) {
		g.LockedUntil = time.Time{}
	}
	return g
}

// Reserve decides a password attempt against the guard at now: refused
// while locked, else counted as a failure until ForgiveAttempt says
// otherwise.
func (g Guard) Reserve(now time.Time, lim otpd.GuessLimits) (Guard, otpd.Attempt) {
	if wait := g.LockedFor(now, lim); wait > 0 {
		return g, otpd.Attempt{RetryAfter: wait, Failures: g.Wrong}
	}
	g = g.Fail(now, lim)
	a := otpd.Attempt{Failures: g.Wrong}
	if g.LockedUntil.After(now) {
		a.LockedUntil = g.LockedUntil
	}
	return g, a
}

// Closed decides a submitted code that will not be checked because of its
// challenge's state at now: it returns the outcome, and expire when the
// challenge must be marked expired first. ok is false for a pending
// challenge within its lifetime, which is to be checked.
func Closed(c otpd.Challenge, now time.Time) (outcome otpd.VerifyOutcome, expire, ok bool) {
	switch {
	case c.Status == otpd.StatusExhausted:
		return otpd.OutcomeExhausted, false, true
	case c.Status == otpd.StatusExpired:
		return otpd.OutcomeExpired, false, true
	case c.Status != otpd.StatusPending:
		return otpd.OutcomeClosed, false, true
	case !now.Before(c.ExpiresAt):
		return otpd.OutcomeExpired, true, true
	}
	return "", false, false
}

// confirming is the guard context of the codes that confirm a new sign-in
// or recovery address for an account. They count against that address,
// which their guesses aim at, so that accounts cannot pool guesses at one
// address's codes; but apart from its sign-ins, because the flow is the
// asking account's: its wrong codes must not spend the budget of the
// address's owner or lock them out.
const confirming otpd.SignInContext = "confirming"

// VerifyGuard is the guard a submitted code counts against: its
// address's, in the requester's context, or in the context of its own for
// a code that confirms a new address. A request that names no context
// counts as unfamiliar, the stricter.
func VerifyGuard(c otpd.Challenge, req otpd.VerifyRequest) otpd.GuardKey {
	if c.Purpose == otpd.PurposeChangeEmail || c.Purpose == otpd.PurposeAddRecovery {
		return otpd.GuardKey{Email: c.Email, Context: confirming}
	}
	ctx := req.Context
	if ctx != otpd.Familiar {
		ctx = otpd.Unfamiliar
	}
	return otpd.GuardKey{Email: c.Email, Context: ctx}
}

// Fits reports whether a right code may complete its challenge with what
// the request brings: a step-up, change-of-address or recovery code only
// in the session that asked for it, a reset code only with the new
// password or as CheckOnly, which completes nothing. A right code that
// does not fit counts as wrong, so that it cannot be probed.
func Fits(c otpd.Challenge, req otpd.VerifyRequest) bool {
	switch c.Purpose {
	case otpd.PurposeStepUp, otpd.PurposeChangeEmail, otpd.PurposeAddRecovery:
		return c.SessionID != "" && req.StepUpSession == c.SessionID
	case otpd.PurposeResetPassword:
		return req.PasswordHash != "" || req.CheckOnly
	}
	return req.StepUpSession == ""
}

// SignInEvents are the events a verified code records besides
// code_verified, when it starts a session.
func SignInEvents(created bool) []otpd.EventType {
	if created {
		return []otpd.EventType{otpd.EventAccountCreated, otpd.EventSessionStarted}
	}
	return []otpd.EventType{otpd.EventSessionStarted}
}

// AttemptsLeft is what a wrong code leaves: the lesser of what the code and
// the address's budget (wrong codes so far in its window) still take.
func AttemptsLeft(c otpd.Challenge, wrong int, lim otpd.GuessLimits) int {
	left := c.AttemptsLeft()
	if lim.MaxWrong > 0 {
		left = max(0, min(left, lim.MaxWrong-wrong))
	}
	return left
}

// Cap is one per-address send cap: at most Max codes within Window.
type Cap struct {
	Limit  otpd.Limit
	Max    int
	Window time.Duration
}

// Caps lists the enforced caps of l; a cap of zero or less is not.
func Caps(l otpd.SendLimits) []Cap {
	var out []Cap
	for _, c := range []Cap{{otpd.LimitPerHour, l.PerHour, time.Hour}, {otpd.LimitPerDay, l.PerDay, 24 * time.Hour}} {
		if c.Max > 0 {
			out = append(out, c)
		}
	}
	return out
}

// Refusal collects the limits that refuse a request and keeps the one that
// lasts longest, so that retrying after its RetryAfter is not refused again
// by another.
type Refusal struct{ worst *otpd.LimitError }

// Refuse notes that limit l refuses for wait; a wait of 0 or less does not.
func (r *Refusal) Refuse(l otpd.Limit, wait time.Duration) {
	if wait > 0 && (r.worst == nil || wait > r.worst.RetryAfter) {
		r.worst = &otpd.LimitError{Limit: l, RetryAfter: wait}
	}
}

// Err returns the refusing limit, or nil when none refused.
func (r *Refusal) Err() *otpd.LimitError { return r.worst }
