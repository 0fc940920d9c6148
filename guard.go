package otpd

import "time"

// Guard is one account's failures in one context (a GuardKey) in its
// current window, and the lockout the last of them started. Its rules are
// pure: a store loads a guard, asks it, and saves what it returns, inside
// the transaction that holds the address's lock.
type Guard struct {
	Wrong       int
	WindowStart time.Time
	LockedUntil time.Time
}

// LockedFor returns how long the guard stays locked at now, or 0: until
// its window ends once the budget is spent, or until the backoff lockout
// ends. A MaxWrong of zero or less is not enforced.
func (g Guard) LockedFor(now time.Time, lim GuessLimits) time.Duration {
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
func (g Guard) Fail(now time.Time, lim GuessLimits) Guard {
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
func (g Guard) Forgive(a Attempt) Guard {
	g.Wrong = max(0, g.Wrong-1)
	if g.LockedUntil.Equal(a.LockedUntil) {
		g.LockedUntil = time.Time{}
	}
	return g
}

// Reserve decides a password attempt against the guard at now: refused
// while locked, else counted as a failure until ForgiveAttempt says
// otherwise.
func (g Guard) Reserve(now time.Time, lim GuessLimits) (Guard, Attempt) {
	if wait := g.LockedFor(now, lim); wait > 0 {
		return g, Attempt{RetryAfter: wait, Failures: g.Wrong}
	}
	g = g.Fail(now, lim)
	a := Attempt{Failures: g.Wrong}
	if g.LockedUntil.After(now) {
		a.LockedUntil = g.LockedUntil
	}
	return g, a
}

// Confirming is the guard context of the codes that confirm a new sign-in
// or recovery address for an account; no request comes from it. They
// count against that address, which their guesses aim at, so that
// accounts cannot pool guesses at one address's codes; but apart from its
// sign-ins, because the flow is the asking account's: its wrong codes must
// not spend the budget of the address's owner or lock them out.
const Confirming SignInContext = "confirming"

// VerifyGuard is the guard a submitted code counts against: its
// address's, in the requester's context, or in Confirming for a code that
// confirms a new address. A request that names no context counts as
// unfamiliar, the stricter.
func VerifyGuard(c Challenge, req VerifyRequest) GuardKey {
	if c.Purpose == PurposeChangeEmail || c.Purpose == PurposeAddRecovery {
		return GuardKey{Email: c.Email, Context: Confirming}
	}
	ctx := req.Context
	if ctx != Familiar {
		ctx = Unfamiliar
	}
	return GuardKey{Email: c.Email, Context: ctx}
}
