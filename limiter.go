package otpd

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrInvalidRate is wrapped by the error Allow returns for a Rate that cannot
// be enforced. It is a programming or configuration error, not a refusal.
var ErrInvalidRate = errors.New("invalid rate")

// MaxWindow bounds how far into the future a key's state may reach
// (Rate.Interval times the burst). It keeps every computation, including the
// microseconds handed to Redis's Lua (which counts in float64), exact.
const MaxWindow = 100 * 365 * 24 * time.Hour

// Rate is Count events per Per, with bursts up to Burst.
//
// Burst 0 means Count: an idle key may then spend its whole allowance at
// once. Burst 1 spaces events evenly, one every Per/Count.
type Rate struct {
	Count int
	Per   time.Duration
	Burst int
}

// Interval is the emission interval: the time one event costs, Per/Count.
// It is truncated to whole microseconds, the resolution every implementation
// shares, so that a Rate means the same in memory and in Redis.
func (r Rate) Interval() time.Duration {
	if r.Count <= 0 {
		return 0
	}
	return (r.Per / time.Duration(r.Count)).Truncate(time.Microsecond)
}

// Window is how far ahead of now a key's TAT may run while events are still
// allowed: the interval times the effective burst (GCRA's tau + T).
func (r Rate) Window() time.Duration {
	return r.Interval() * time.Duration(r.burst())
}

func (r Rate) burst() int {
	if r.Burst == 0 {
		return r.Count
	}
	return r.Burst
}

// Validate reports why r cannot be enforced, wrapping ErrInvalidRate.
func (r Rate) Validate() error {
	switch {
	case r.Count < 1:
		return fmt.Errorf("%w: count %d, want at least 1", ErrInvalidRate, r.Count)
	case r.Per <= 0:
		return fmt.Errorf("%w: period %v, want more than 0", ErrInvalidRate, r.Per)
	case r.Burst < 0:
		return fmt.Errorf("%w: burst %d, want 0 (same as count) or more", ErrInvalidRate, r.Burst)
	case r.Interval() < time.Microsecond:
		return fmt.Errorf("%w: %d per %v is more than one per microsecond", ErrInvalidRate, r.Count, r.Per)
	case int64(r.burst()) > int64(MaxWindow/r.Interval()):
		return fmt.Errorf("%w: burst %d of one per %v reaches beyond %v", ErrInvalidRate, r.burst(), r.Interval(), MaxWindow)
	}
	return nil
}

// Decision is the outcome of one Allow call.
type Decision struct {
	// Allowed says whether the event may happen. A refused event is not
	// counted: refusals do not push the key further into the future, so a
	// client that keeps retrying is let in as soon as the rate permits.
	Allowed bool
	// RetryAfter is, when refused, how long after now one more event would
	// be allowed (always > 0 then). It is 0 when allowed.
	RetryAfter time.Duration
	// Remaining is how many more events would be allowed at the same now
	// after this one. It is 0 when refused.
	Remaining int
}

// Limiter (package limit implements it) decides whether an event for a key may happen at now under a rate.
//
// Implementations are safe for concurrent use, and one Allow is atomic: of
// any number of concurrent calls, exactly as many are allowed as the rate
// permits. Shared implementations keep that guarantee across processes.
// A key may be used with different rates; the state is a point in time, so a
// changed rate applies at once to whatever the key has already spent.
type Limiter interface {
	Allow(ctx context.Context, key string, r Rate, now time.Time) (Decision, error)
}
