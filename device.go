package otpd

import "time"

// Device is a browser an account's owner chose to remember after a
// verified code. It is identified by a long-lived signed cookie; a device
// the account knows counts as a familiar context, with its own budget of
// wrong codes and passwords, so that an attacker elsewhere cannot lock the
// owner out.
type Device struct {
	ID        string
	AccountID string
	// Name is what the owner sees, made from the user agent: "Firefox on
	// Linux".
	Name      string
	FirstSeen time.Time
	LastSeen  time.Time
	LastIP    string
	LastPlace Place
}

// SignInContext says whether a sign-in attempt comes from a device the
// account knows. Failures are counted per account and per context.
type SignInContext string

const (
	Familiar   SignInContext = "familiar"
	Unfamiliar SignInContext = "unfamiliar"
)
