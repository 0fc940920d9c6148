package otpd

import (
	"slices"
	"time"
)

// Account is a person known to the server by their address.
type Account struct {
	ID        string
	Email     Address
	CreatedAt time.Time
	// PasswordHash is an encoded argon2id hash, or "" for an account that
	// signs in with codes only (the default).
	PasswordHash string
	// GuardUntil, while in the future, makes every password sign-in prove
	// itself with a code as well: the owner reported a code they did not
	// ask for, or the account is under attack.
	GuardUntil time.Time
	// Campaign is the flood of code requests the account is under, while
	// its Until is in the future: codes for requesters on devices it does
	// not know are held back, and a password needs a code too.
	Campaign Campaign
	// LastSignInAt and LastPlace are where the previous sign-in came from,
	// to tell impossible travel.
	LastSignInAt time.Time
	LastPlace    Place
	// PrevSignInAt is the sign-in before the last: codes asked for since
	// then and never used are the owner's to look at.
	PrevSignInAt time.Time
	// CodeSignInOff: the owner turned code-only sign-in off, so a code
	// alone never signs in; a password and a code are needed. Their
	// answer to a flood of code emails they did not ask for.
	CodeSignInOff bool
	// RecoveryEmail is a verified second address that can receive sign-in
	// and reset codes when the owner chooses it; zero when none.
	RecoveryEmail Address
	// Countries are the ISO codes of the countries the account has signed
	// in from; a sign-in from another one needs a code.
	Countries []string
	// DisabledAt, when set, is when an administrator disabled the
	// account: nothing signs it in, its sessions are refused, and a
	// code request for it is answered like any other while the email
	// tells its owner the account is disabled instead of giving a code.
	DisabledAt time.Time
	// Language is the tag of the language the owner chose for pages and
	// emails ("de"); "" lets each page follow the browser, and emails
	// use the server's default.
	Language string
}

// Disabled reports whether an administrator disabled the account.
func (a Account) Disabled() bool { return !a.DisabledAt.IsZero() }

// HasPassword reports whether the account has a password set.
func (a Account) HasPassword() bool { return a.PasswordHash != "" }

// KnowsCountry reports whether the account has signed in from country
// before. An unknown country ("") is never new: without GeoIP there is
// nothing to compare.
func (a Account) KnowsCountry(country string) bool {
	return country == "" || slices.Contains(a.Countries, country)
}

// GuardedAt reports whether the account's guard is raised at now.
func (a Account) GuardedAt(now time.Time) bool { return now.Before(a.GuardUntil) }

// UnderAttackAt reports whether a campaign against the account is on at
// now.
func (a Account) UnderAttackAt(now time.Time) bool { return now.Before(a.Campaign.Until) }
