package signin

import (
	"context"
	"errors"

	"github.com/otpd/otpd"
)

// errNoAuthRequest answers an authorization request that is unknown,
// expired, or answered already: the person should start again at the app.
var errNoAuthRequest = &otpd.Error{Code: otpd.ENotFound, Field: "authz_id",
	Message: "this sign-in request has expired or was answered already: go back to the app and start again"}

// Authorization returns an app's pending authorization request and what
// it needs next from the caller. The zero Caller is allowed: nobody is
// signed in yet, and the step says to sign in.
func (e *Engine) Authorization(ctx context.Context, c Caller, id string) (otpd.AuthRequest, otpd.AuthStep, error) {
	req, err := e.pendingAuth(ctx, id)
	if err != nil {
		return otpd.AuthRequest{}, otpd.AuthStep{}, err
	}
	st, err := e.authState(ctx, c, req)
	if err != nil {
		return otpd.AuthRequest{}, otpd.AuthStep{}, err
	}
	return req, otpd.NextAuthStep(req, st), nil
}

// Authorize completes an authorization request for the caller's account,
// recording consent when the caller gave it, so that the provider's
// callback gives the app its code. It completes only what NextAuthStep
// allows now: a request that needs a fresh code, another account or
// consent not given is refused, whatever page called. Consent that gives
// the app its first grant to the account also queues a notice to the
// account's address, in the grant's transaction.
func (e *Engine) Authorize(ctx context.Context, c Caller, id string, consent bool, r Requester) (otpd.AuthRequest, error) {
	s, acct, err := signedIn(c)
	if err != nil {
		return otpd.AuthRequest{}, err
	}
	req, err := e.pendingAuth(ctx, id)
	if err != nil {
		return otpd.AuthRequest{}, err
	}
	st, err := e.authState(ctx, c, req)
	if err != nil {
		return otpd.AuthRequest{}, err
	}
	step := otpd.NextAuthStep(req, st)
	if err := authorizable(step, consent); err != nil {
		return otpd.AuthRequest{}, err
	}
	// Signing in to the operator's own app is consent to it: its access
	// is recorded as any other's, so that it is listed and removable.
	if st.FirstParty && !st.Grant.Covers(req.Scopes) {
		consent = true
	}
	amr, err := e.amr(ctx, s)
	if err != nil {
		return otpd.AuthRequest{}, err
	}
	now := e.now()
	ev := e.appEvent(ctx, otpd.EventAppAuthorized, acct, req.ClientID, r)
	var notice *otpd.OutboxMessage
	if consent {
		// Made whenever consent is given; the store queues it only with
		// a new grant, which it alone can tell under the grant's lock.
		if notice, err = e.appNotice(acct, req, ev, r); err != nil {
			return otpd.AuthRequest{}, err
		}
	}
	done, err := e.store.CompleteAuthRequest(ctx, otpd.CompleteRequest{
		ID: req.ID, AccountID: acct.ID, SessionID: s.ID, AuthTime: otpd.AuthTime(s), AMR: amr, ACR: step.ACR,
		Consent: consent, Now: now, Event: ev, Notice: notice,
	})
	switch {
	case errors.Is(err, otpd.ErrNotFound):
		return otpd.AuthRequest{}, errNoAuthRequest
	case errors.Is(err, otpd.ErrConsentRequired):
		return otpd.AuthRequest{}, errConsentNeeded
	case err != nil:
		return otpd.AuthRequest{}, internal("complete authorization", err)
	}
	if notice != nil {
		e.queued()
	}
	return done, nil
}

var errConsentNeeded = &otpd.Error{Code: otpd.EInvalid, Field: "consent", Message: "the app needs your consent"}

// authorizable refuses a completion the step does not allow.
func authorizable(step otpd.AuthStep, consent bool) error {
	switch step.Next {
	case otpd.AuthIssue:
		return nil
	case otpd.AuthConsent:
		if consent {
			return nil
		}
		return errConsentNeeded
	case otpd.AuthConfirm:
		return otpd.Errorf(otpd.EStepUpRequired, "confirm it is you with a code first")
	case otpd.AuthRefuse:
		return otpd.Errorf(otpd.EInvalid, "the app asked not to be shown any page: %s", step.Refusal)
	}
	return errUnauthorized
}

// errNotYourRequest refuses the callback to a browser other than the one
// whose session completed the request.
var errNotYourRequest = otpd.Errorf(otpd.EUnauthorized,
	"this sign-in request was completed in another browser or session: go back to the app and start again")

// CallbackAllowed reports whether the caller may take request id to the
// provider's callback, which gives the app its code: only the session
// that completed it, for the account it completed it for. Without this,
// whoever started the request and sent its continue link to someone else
// could ask for the callback once that person completed it, and take
// the code meant for their browser. The zero Caller is refused, and so
// is a request not completed yet.
func (e *Engine) CallbackAllowed(ctx context.Context, c Caller, id string) error {
	s, acct, err := signedIn(c)
	if err != nil {
		return errNotYourRequest
	}
	req, err := e.store.AuthRequest(ctx, id)
	if errors.Is(err, otpd.ErrNotFound) {
		return errNoAuthRequest
	}
	if err != nil {
		return internal("authorization request", err)
	}
	if req.SessionID == "" || req.SessionID != s.ID || req.AccountID != acct.ID {
		return errNotYourRequest
	}
	return nil
}

// DenyAuthorization records a person's refusal of a pending request and
// returns it, for the provider to tell the app (access_denied). It needs
// no Caller: someone not signed in may cancel too, and a refusal gives
// nobody anything.
func (e *Engine) DenyAuthorization(ctx context.Context, id string) (otpd.AuthRequest, error) {
	req, err := e.pendingAuth(ctx, id)
	if err != nil {
		return otpd.AuthRequest{}, err
	}
	if err := e.store.DenyAuthRequest(ctx, id, e.now()); errors.Is(err, otpd.ErrNotFound) {
		return otpd.AuthRequest{}, errNoAuthRequest
	} else if err != nil {
		return otpd.AuthRequest{}, internal("deny authorization", err)
	}
	return req, nil
}

// pendingAuth reads a request that still waits for a person.
func (e *Engine) pendingAuth(ctx context.Context, id string) (otpd.AuthRequest, error) {
	req, err := e.store.AuthRequest(ctx, id)
	if errors.Is(err, otpd.ErrNotFound) {
		return otpd.AuthRequest{}, errNoAuthRequest
	}
	if err != nil {
		return otpd.AuthRequest{}, internal("authorization request", err)
	}
	if !req.Pending(e.now()) {
		return otpd.AuthRequest{}, errNoAuthRequest
	}
	return req, nil
}

// authState is what NextAuthStep reads of the caller: the session, and
// the grant its account gave the request's app.
func (e *Engine) authState(ctx context.Context, c Caller, req otpd.AuthRequest) (otpd.AuthState, error) {
	s, acct, err := signedIn(c)
	if err != nil {
		// The zero Caller: nobody is signed in, which is a state.
		return otpd.AuthState{}, nil
	}
	g, err := e.store.Grant(ctx, acct.ID, req.ClientID)
	if err != nil && !errors.Is(err, otpd.ErrNotFound) {
		return otpd.AuthState{}, internal("grant", err)
	}
	// An app removed since the request is not first party: the store
	// refuses to complete its request anyway.
	app, err := otpd.LookupApp(ctx, e.apps, e.store, req.ClientID)
	if err != nil && !errors.Is(err, otpd.ErrNotFound) {
		return otpd.AuthState{}, internal("app "+req.ClientID, err)
	}
	return otpd.AuthState{SignedIn: true, Session: s, Grant: g, FirstParty: app.FirstParty}, nil
}

// amr reads how the session's person proved it was them: the challenge
// that started it says whether a password came first.
func (e *Engine) amr(ctx context.Context, s otpd.Session) ([]string, error) {
	var started otpd.Challenge
	if s.FlowID != "" {
		ch, err := e.store.LatestChallenge(ctx, s.FlowID)
		if err != nil {
			return nil, internal("challenge of session", err)
		}
		started = ch
	}
	return otpd.AMR(s, started), nil
}

// appEvent is an event about an app, named as its owner reads it.
func (e *Engine) appEvent(ctx context.Context, typ otpd.EventType, acct otpd.Account, clientID string, r Requester) otpd.Event {
	name := clientID
	if a, err := otpd.LookupApp(ctx, e.apps, e.store, clientID); err == nil && a.Name != "" {
		name = a.Name
	}
	return otpd.Event{ID: newID(), Type: typ, At: e.now(), AccountID: acct.ID, Email: acct.Email, IP: r.IP,
		UserAgent: r.UserAgent, Place: e.locate(r.IP).String(), Concerns: name}
}
