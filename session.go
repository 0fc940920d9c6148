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
}

// ActiveAt reports whether the session may be used at now, given the idle
// timeout.
func (s Session) ActiveAt(now time.Time, idle time.Duration) bool {
	return s.EndedAt.IsZero() && now.Before(s.ExpiresAt) && now.Before(s.LastSeenAt.Add(idle))
}
