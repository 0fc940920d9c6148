package signin

import (
	"context"
	"errors"

	"github.com/otpd/otpd"
)

// AppAccess is an app the caller's account let sign it in, and what it
// may have.
type AppAccess struct {
	// App is the app as declared; an app no longer declared keeps only
	// its ID, as its name.
	App   otpd.App
	Grant otpd.Grant
}

// Apps returns the apps the caller's account let sign it in, first
// granted first.
func (e *Engine) Apps(ctx context.Context, c Caller) ([]AppAccess, error) {
	_, acct, err := signedIn(c)
	if err != nil {
		return nil, err
	}
	grants, err := e.store.Grants(ctx, acct.ID)
	if err != nil {
		return nil, internal("grants", err)
	}
	out := make([]AppAccess, 0, len(grants))
	for _, g := range grants {
		a, err := otpd.LookupApp(ctx, e.apps, e.store, g.ClientID)
		if errors.Is(err, otpd.ErrNotFound) {
			a = otpd.App{ID: g.ClientID, Name: g.ClientID}
		} else if err != nil {
			return nil, internal("app "+g.ClientID, err)
		}
		out = append(out, AppAccess{App: a, Grant: g})
	}
	return out, nil
}

// RemoveApp removes the caller's account's grant to an app, and with it
// every token the app holds for the account, in one store transaction.
// Only the caller's own grant is touched (invariant 9). It takes access
// away, so it needs no step-up.
func (e *Engine) RemoveApp(ctx context.Context, c Caller, clientID string, r Requester) error {
	_, acct, err := signedIn(c)
	if err != nil {
		return err
	}
	ev := e.appEvent(ctx, otpd.EventAppRemoved, acct, clientID, r)
	err = e.store.RevokeGrant(ctx, acct.ID, clientID, ev)
	if errors.Is(err, otpd.ErrNotFound) {
		return &otpd.Error{Code: otpd.ENotFound, Field: "client_id", Message: "this app has no access to your account"}
	}
	if err != nil {
		return internal("remove app", err)
	}
	return nil
}

// App returns the app with clientID, declared in the configuration or
// stored, for the pages to name it; ENotFound on field client_id when
// there is none.
func (e *Engine) App(ctx context.Context, clientID string) (otpd.App, error) {
	a, err := otpd.LookupApp(ctx, e.apps, e.store, clientID)
	if errors.Is(err, otpd.ErrNotFound) {
		return otpd.App{}, &otpd.Error{Code: otpd.ENotFound, Field: "client_id", Message: "no app has this client_id"}
	}
	if err != nil {
		return otpd.App{}, internal("app "+clientID, err)
	}
	return a, nil
}
