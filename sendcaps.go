package otpd

import "time"

// SendCap is one per-mailbox send cap: at most Max codes within Window.
type SendCap struct {
	Limit  Limit
	Max    int
	Window time.Duration
}

// Caps lists the enforced caps of l; a cap of zero or less is not.
func (l SendLimits) Caps() []SendCap {
	var out []SendCap
	for _, c := range []SendCap{{LimitPerHour, l.PerHour, time.Hour}, {LimitPerDay, l.PerDay, 24 * time.Hour}} {
		if c.Max > 0 {
			out = append(out, c)
		}
	}
	return out
}

// Refusal collects the limits that refuse a request and keeps the one that
// lasts longest, so that retrying after its RetryAfter is not refused again
// by another. Its zero value refuses nothing.
type Refusal struct{ worst *LimitError }

// Refuse notes that limit l refuses for wait; a wait of 0 or less does not.
func (r *Refusal) Refuse(l Limit, wait time.Duration) {
	if wait > 0 && (r.worst == nil || wait > r.worst.RetryAfter) {
		r.worst = &LimitError{Limit: l, RetryAfter: wait}
	}
}

// Err returns the refusing limit, or nil when none refused.
func (r *Refusal) Err() *LimitError { return r.worst }
