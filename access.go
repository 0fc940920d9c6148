package otpd

import "slices"

// AccessPolicy says which signed-in accounts an app behind forward auth
// admits: those it names by ID, those whose address is at one of its
// domains, or, with AnyAccount, every one. FreshCode asks, in addition,
// for a code verified recently in the session.
type AccessPolicy struct {
	Accounts   []string
	Domains    []string
	AnyAccount bool
	FreshCode  bool
}

// Access is a decision of an AccessPolicy.
type Access int

const (
	// AccessDenied: the account may not reach the app.
	AccessDenied Access = iota
	// AccessNeedsCode: it may, once it has verified a fresh code.
	AccessNeedsCode
	// AccessGranted: it may now.
	AccessGranted
)

// Decide decides for acct, whose session verified a code recently
// (freshCode) or not. Domains match the address's domain exactly, in
// its canonical form: "example.com" admits ada@example.com, and neither
// ada@sub.example.com nor ada@example.com.evil.test.
func (p AccessPolicy) Decide(acct Account, freshCode bool) Access {
	admitted := p.AnyAccount || (acct.ID != "" && slices.Contains(p.Accounts, acct.ID)) ||
		(!acct.Email.IsZero() && slices.Contains(p.Domains, acct.Email.Domain()))
	switch {
	case acct.ID == "" || !admitted:
		return AccessDenied
	case p.FreshCode && !freshCode:
		return AccessNeedsCode
	}
	return AccessGranted
}
