package otpd

import "time"

// Closed decides a submitted code that will not be checked because of its
// challenge's state at now: it returns the outcome, and expire when the
// challenge must be marked expired first. ok is false for a pending
// challenge within its lifetime, which is to be checked.
func Closed(c Challenge, now time.Time) (outcome VerifyOutcome, expire, ok bool) {
	switch {
	case c.Status == StatusExhausted:
		return OutcomeExhausted, false, true
	case c.Status == StatusExpired:
		return OutcomeExpired, false, true
	case c.Status != StatusPending:
		return OutcomeClosed, false, true
	case !now.Before(c.ExpiresAt):
		return OutcomeExpired, true, true
	}
	return "", false, false
}

// Fits reports whether a right code may complete its challenge with what
// the request brings: a step-up, change-of-address or recovery code only
// in the session that asked for it, a reset code only with the new
// password or as CheckOnly, which completes nothing. A right code that
// does not fit counts as wrong, so that it cannot be probed.
func Fits(c Challenge, req VerifyRequest) bool {
	switch c.Purpose {
	case PurposeStepUp, PurposeChangeEmail, PurposeAddRecovery:
		return c.SessionID != "" && req.StepUpSession == c.SessionID
	case PurposeResetPassword:
		return req.PasswordHash != "" || req.CheckOnly
	}
	return req.StepUpSession == ""
}

// AttemptsLeft is what a wrong code leaves: the lesser of what the code and
// the address's budget (wrong codes so far in its window) still take.
func AttemptsLeft(c Challenge, wrong int, lim GuessLimits) int {
	left := c.AttemptsLeft()
	if lim.MaxWrong > 0 {
		left = max(0, min(left, lim.MaxWrong-wrong))
	}
	return left
}
