package sqlstore

import (
	"fmt"
	"time"

	"github.com/otpd/otpd"
)

// LockedOutDetail is the event detail of a failure that locked a context
// out.
func LockedOutDetail(key otpd.GuardKey, g otpd.Guard, now time.Time, lim otpd.GuessLimits) string {
	what := string(key.Context) + " sign-ins"
	if key.Context == otpd.Confirming {
		what = "codes confirming " + key.Email.Masked()
	}
	return fmt.Sprintf("%s locked out for %s after %d failures", what, g.LockedFor(now, lim).Round(time.Second), g.Wrong)
}

// closedDetail is the event detail of a code not checked because its
// challenge is closed with outcome (see otpd.Closed).
func closedDetail(c otpd.Challenge, outcome otpd.VerifyOutcome) string {
	switch outcome {
	case otpd.OutcomeExhausted:
		return "code submitted after its tries were used up; not checked"
	case otpd.OutcomeExpired:
		return "expired code submitted; not checked"
	}
	return fmt.Sprintf("code submitted for a %s challenge; not checked", c.Status)
}

// SteppedUpDetail and ResetDetail are the details of what a step-up and a
// reset code did.
const (
	SteppedUpDetail = "identity confirmed with a code for a sensitive change"
	ResetDetail     = "password reset with a code; every other session was signed out"
)

// MaskedChange is the detail of a change of address, with both addresses
// masked: the activity page may be read over a shoulder.
func MaskedChange(old, new otpd.Address) string {
	return fmt.Sprintf("sign-in address changed from %s to %s", old.Masked(), new.Masked())
}

// SignInEvents are the events a verified code records besides
// code_verified, when it starts a session.
func SignInEvents(c otpd.Challenge, created bool) []otpd.Event {
	var evs []otpd.Event
	if created {
		evs = append(evs, otpd.Event{Type: otpd.EventAccountCreated, Detail: "account created"})
	}
	how := "signed in with a code"
	if c.Purpose == otpd.PurposeResetPassword {
		how = "signed in with the new password's reset code"
	}
	return append(evs, otpd.Event{Type: otpd.EventSessionStarted, Detail: how})
}

// LockedDetail is the event detail of a code refused by a locked guard.
const LockedDetail = "too many failures for this address from this context; code not checked"

// WrongDetail is the event detail of a wrong code.
func WrongDetail(left int) string {
	tries := "tries"
	if left == 1 {
		tries = "try"
	}
	return fmt.Sprintf("wrong code; %d %s left", left, tries)
}

// RefusedDetail is the event detail of a refused code request.
func RefusedDetail(detail string, l otpd.Limit) string {
	note := fmt.Sprintf("refused by the %s limit; no code was sent", l)
	if detail == "" {
		return note
	}
	return detail + "; " + note
}
