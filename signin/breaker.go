package signin

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/otpd/otpd"
)

// breakerKey is the limiter key of the service-wide budget of failed
// guesses; on several nodes it lives in the shared limiter, so the budget
// is the whole service's.
const breakerKey = "otpd:guess:failed"

// breaker is the circuit breaker on the service-wide budget of failed
// guesses from unfamiliar contexts. Per-account limits cannot stop a
// botnet that makes a few guesses on each of a million accounts; a budget
// for the whole service can. When a failure finds the budget spent, an
// attack is under way: sign-in from unfamiliar contexts pauses for
// Policy.BreakerPause at a time, so that at most the budget's rate of
// guesses is ever evaluated, while remembered devices are not affected.
// It resumes by itself as the budget refills.
//
// Each node keeps its own pause: every node counts its failures into the
// shared budget, so every node an attacker uses finds it spent.
type breaker struct {
	openUntil atomic.Int64 // unix nanoseconds
	failures  atomic.Int64
	trips     atomic.Int64
}

// BreakerStats are the breaker's counters, for metrics.
type BreakerStats struct {
	// FailedGuesses counts failed guesses from unfamiliar contexts.
	FailedGuesses int64
	// Trips counts the times the budget was found spent.
	Trips int64
	// Open says whether sign-in from unfamiliar contexts is paused now.
	Open bool
}

// Breaker returns the breaker's counters at now.
func (e *Engine) Breaker() BreakerStats {
	return BreakerStats{
		FailedGuesses: e.breaker.failures.Load(),
		Trips:         e.breaker.trips.Load(),
		Open:          e.pausedFor() > 0,
	}
}

// pausedFor is how long sign-in from unfamiliar contexts stays paused.
func (e *Engine) pausedFor() time.Duration {
	return max(0, time.Duration(e.breaker.openUntil.Load()-e.now().UnixNano()))
}

// paused refuses an unfamiliar attempt while the breaker is open, before
// anything is evaluated.
func (e *Engine) paused(c otpd.SignInContext) error {
	if c == otpd.Familiar {
		return nil
	}
	if wait := e.pausedFor(); wait > 0 {
		return &otpd.Error{Code: otpd.ERateLimited, RetryAfter: wait,
			Message: "sign-in from new devices is paused for a moment while this service is under attack; try again shortly, or use a device you signed in with before"}
	}
	return nil
}

// failed counts a failed guess from an unfamiliar context against the
// service's budget, and opens the breaker when the budget is spent.
func (e *Engine) failed(ctx context.Context, c otpd.SignInContext) {
	if c == otpd.Familiar || e.limiter == nil || e.policy.FailedGuesses.Count == 0 {
		return
	}
	e.breaker.failures.Add(1)
	now := e.now()
	d, err := e.limiter.Allow(ctx, breakerKey, e.policy.FailedGuesses, now)
	if err != nil {
		e.log.Error("count failed guess", "err", err)
		return
	}
	if d.Allowed {
		return
	}
	until := now.Add(max(e.policy.BreakerPause, d.RetryAfter)).UnixNano()
	if prev := e.breaker.openUntil.Swap(until); prev < now.UnixNano() {
		e.breaker.trips.Add(1)
		e.log.Warn("attack in progress: the service's budget of failed guesses is spent; sign-in from new devices pauses",
			"budget", e.policy.FailedGuesses.Count, "per", e.policy.FailedGuesses.Per, "pause", time.Duration(until-now.UnixNano()))
	}
}
