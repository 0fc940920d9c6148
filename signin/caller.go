package signin

import (
	"context"

	"github.com/otpd/otpd"
)

// Caller is a signed-in person: the session a token authenticated and its
// account, as they were then. Only Engine.Authenticate makes one, so a
// method that takes a Caller knows the token was checked, and a request
// authenticates once however many methods it calls. The zero Caller
// authenticated nothing, and every method refuses it.
type Caller struct {
	session otpd.Session
	account otpd.Account
}

// Session returns the caller's session as it was when authenticated.
func (c Caller) Session() otpd.Session { return c.session }

// Account returns the caller's account as it was when authenticated.
func (c Caller) Account() otpd.Account { return c.account }

// signedIn returns the caller's session and account, or the error a bad
// token gets for the zero Caller.
func signedIn(c Caller) (otpd.Session, otpd.Account, error) {
	if c.session.ID == "" || c.account.ID == "" {
		return otpd.Session{}, otpd.Account{}, errUnauthorized
	}
	return c.session, c.account, nil
}

// SignedOut reports whether the caller's session has ended since it was
// authenticated: a report the caller made may sign out the sessions it
// names, their own among them.
func (e *Engine) SignedOut(ctx context.Context, c Caller) (bool, error) {
	s, acct, err := signedIn(c)
	if err != nil {
		return false, err
	}
	ss, err := e.store.Sessions(ctx, acct.ID)
	if err != nil {
		return false, internal("sessions", err)
	}
	for _, x := range ss {
		if x.ID == s.ID {
			return false, nil
		}
	}
	return true, nil
}
