package sqlstore

import (
	"fmt"
	"time"

	"github.com/otpd/otpd"
)

// Guard is an address's wrong-code count in its current window.
type Guard struct {
	Wrong       int
	WindowStart time.Time
}

// LockedFor returns how long the budget stays spent at now, or 0. A
// MaxWrong of zero or less is not enforced.
func (g Guard) LockedFor(now time.Time, lim otpd.GuessLimits) time.Duration {
	if lim.MaxWrong <= 0 || g.Wrong < lim.MaxWrong {
		return 0
	}
	return max(0, g.WindowStart.Add(lim.Window).Sub(now))
}

// Closed decides a submitted code that will not be checked because of its
// challenge's state at now: it returns the outcome and the event's detail,
// and expire when the challenge must be marked expired first. ok is false
// for a pending challenge within its lifetime, which is to be checked.
func Closed(c otpd.Challenge, now time.Time) (outcome otpd.VerifyOutcome, detail string, expire, ok bool) {
	switch {
	case c.Status == otpd.StatusExhausted:
		return otpd.OutcomeExhausted, "code submitted after its tries were used up; not checked", false, true
	case c.Status == otpd.StatusExpired:
		return otpd.OutcomeExpired, "expired code submitted; not checked", false, true
	case c.Status != otpd.StatusPending:
		return otpd.OutcomeClosed, fmt.Sprintf("code submitted for a %s challenge; not checked", c.Status), false, true
	case !now.Before(c.ExpiresAt):
		return otpd.OutcomeExpired, "expired code submitted; not checked", true, true
	}
	return "", "", false, false
}

// LockedDetail is the event detail of a code refused by a spent budget.
const LockedDetail = "too many wrong codes for this address; code not checked"

// WrongDetail is the event detail of a wrong code.
func WrongDetail(left int) string {
	tries := "tries"
	if left == 1 {
		tries = "try"
	}
	return fmt.Sprintf("wrong code; %d %s left", left, tries)
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

// RefusedDetail is the event detail of a refused code request.
func RefusedDetail(detail string, l otpd.Limit) string {
	note := fmt.Sprintf("refused by the %s limit; no code was sent", l)
	if detail == "" {
		return note
	}
	return detail + "; " + note
}
