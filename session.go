package otpd

import "time"

// Session is a signed-in browser or API client. Only a hash of its token is
// stored: a copy of the database yields no usable session.
type Session struct {
	ID         string
	AccountID  string
	TokenHash  []byte
	CreatedAt  time.Time
	LastSeenAt time.Time
	// ExpiresAt is the absolute end, whatever the activity.
	ExpiresAt time.Time
	EndedAt   time.Time
	IP        string
	UserAgent string
	// Place is where the session started, as a person reads it.
	Place string
	// FlowID is the code flow whose code started it; "" when a password
	// alone did.
	FlowID string
	// DeviceID is the remembered device it started on, if any.
	DeviceID string
	// SteppedUpAt is when a step-up code was last verified in this
	// session; sensitive changes need it to be recent.
	SteppedUpAt time.Time
	// StepUpChallenge is the challenge of that step-up: the notice of a
	// change made in the session links to it for "this wasn't me".
	StepUpChallenge string
}

// ActiveAt reports whether the session may be used at now, given the idle
// timeout.
func (s Session) ActiveAt(now time.Time, idle time.Duration) bool {
	return s.EndedAt.IsZero() && now.Before(s.ExpiresAt) && now.Before(s.LastSeenAt.Add(idle))
}

// SteppedUpWithin reports whether a step-up code was verified in this
// session within d before now.
func (s Session) SteppedUpWithin(now time.Time, d time.Duration) bool {
	return !s.SteppedUpAt.IsZero() && now.Sub(s.SteppedUpAt) < d
}
