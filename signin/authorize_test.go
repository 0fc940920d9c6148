package signin_test

import (
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/limit"
	"github.com/otpd/otpd/signin"
)

const notesRedirect = "https://notes.example/callback"

// withApp stores the app the authorization tests sign in to.
func (r *rig) withApp(t *testing.T) otpd.App {
	t.Helper()
	a := otpd.App{ID: "notes", Name: "Notes", Public: true, RedirectURIs: []string{notesRedirect},
		Scopes: []string{otpd.ScopeOpenID, otpd.ScopeEmail}, CreatedAt: r.clock.Now()}
	if err := r.store.SaveApp(ctx, a); err != nil {
		t.Fatal(err)
	}
	return a
}

// authRequest stores a pending request of the app, as the provider does
// when the app sends the browser to otpd.
func (r *rig) authRequest(t *testing.T, id string, edit ...func(*otpd.AuthRequest)) otpd.AuthRequest {
	t.Helper()
	now := r.clock.Now()
	req := otpd.AuthRequest{ID: id, ClientID: "notes", RedirectURI: notesRedirect, State: "st", Nonce: "n",
		Scopes: []string{otpd.ScopeOpenID, otpd.ScopeEmail}, CodeChallenge: "challenge", CreatedAt: now,
		ExpiresAt: now.Add(10 * time.Minute)}
	for _, e := range edit {
		e(&req)
	}
	if err := r.store.CreateAuthRequest(ctx, req); err != nil {
		t.Fatal(err)
	}
	return req
}

func (r *rig) events(t *testing.T, accountID string, typ otpd.EventType) []otpd.Event {
	t.Helper()
	all, err := r.store.Events(ctx, accountID, 100)
	if err != nil {
		t.Fatal(err)
	}
	return slices.DeleteFunc(all, func(ev otpd.Event) bool { return ev.Type != typ })
}

// A request walks sign in, consent, issue; completing it records what
// the ID token will say and, the first time, the person's consent.
func TestAuthorizeStepsAndConsent(t *testing.T) {
	r := newRig(t)
	r.withApp(t)
	req := r.authRequest(t, "authz-one")
	if _, step, err := r.engine.Authorization(ctx, signin.Caller{}, req.ID); err != nil || step.Next != otpd.AuthSignIn {
		t.Fatalf("not signed in: %+v, %v", step, err)
	}
	in := r.signedIn(t, "ada@example.com")
	c := r.as(in.Token)
	if _, step, err := r.engine.Authorization(ctx, c, req.ID); err != nil || step.Next != otpd.AuthConsent {
		t.Fatalf("signed in, no grant: %+v, %v", step, err)
	}
	_, err := r.engine.Authorize(ctx, c, req.ID, false, who)
	if e := wantCode(t, err, otpd.EInvalid); e.Field != "consent" {
		t.Errorf("without consent: field %q", e.Field)
	}
	done, err := r.engine.Authorize(ctx, c, req.ID, true, who)
	if err != nil {
		t.Fatal(err)
	}
	if done.AccountID != in.Account.ID || done.SessionID != in.Session.ID || !done.Done() ||
		!slices.Equal(done.AMR, []string{"otp"}) || done.ACR != otpd.ACRSession || !done.AuthTime.Equal(in.Session.CreatedAt) {
		t.Errorf("completed %+v", done)
	}
	if evs := r.events(t, in.Account.ID, otpd.EventAppAuthorized); len(evs) != 1 || evs[0].Concerns != "Notes" || evs[0].IP != who.IP {
		t.Errorf("app_authorized events %+v", evs)
	}
	// Answered requests are gone; the next one needs no consent.
	if _, err := r.engine.Authorize(ctx, c, req.ID, true, who); otpd.ErrorCode(err) != otpd.ENotFound {
		t.Errorf("completed twice: %v", err)
	}
	next := r.authRequest(t, "authz-two")
	if _, step, _ := r.engine.Authorization(ctx, c, next.ID); step.Next != otpd.AuthIssue {
		t.Errorf("with a grant: %+v", step)
	}
	if _, err := r.engine.Authorize(ctx, c, next.ID, false, who); err != nil {
		t.Fatal(err)
	}
	if evs := r.events(t, in.Account.ID, otpd.EventAppAuthorized); len(evs) != 1 {
		t.Errorf("a covered request recorded consent again: %d events", len(evs))
	}
}

// Authorize completes only what NextAuthStep allows: a request for a
// fresh code, or one that prompt=login made, waits for a step-up.
func TestAuthorizeNeedsAFreshCodeWhenAsked(t *testing.T) {
	r := newRig(t)
	r.withApp(t)
	in := r.signedIn(t, "ada@example.com")
	r.clock.Advance(time.Minute)
	req := r.authRequest(t, "authz-login", func(q *otpd.AuthRequest) { q.Prompt = []string{otpd.PromptLogin} })
	_, err := r.engine.Authorize(ctx, r.as(in.Token), req.ID, true, who)
	wantCode(t, err, otpd.EStepUpRequired)
	r.stepUp(t, in.Token, who)
	done, err := r.engine.Authorize(ctx, r.as(in.Token), req.ID, true, who)
	if err != nil {
		t.Fatal(err)
	}
	if !done.AuthTime.After(in.Session.CreatedAt) {
		t.Errorf("auth_time %v is not the step-up's", done.AuthTime)
	}
}

// Another account's caller can neither complete a request meant for
// someone else, nor one someone else completed, nor remove someone
// else's app (invariant 9).
func TestAuthorizeActsOnlyForTheCallersAccount(t *testing.T) {
	r := newRig(t)
	r.withApp(t)
	ada := r.signedIn(t, "ada@example.com")
	bob := r.signedIn(t, "bob@example.com")
	hinted := r.authRequest(t, "authz-ada", func(q *otpd.AuthRequest) { q.HintSubject = ada.Account.ID })
	if _, err := r.engine.Authorize(ctx, r.as(bob.Token), hinted.ID, true, who); err == nil {
		t.Fatal("bob completed a request whose app named ada")
	}
	if _, err := r.engine.Authorize(ctx, r.as(ada.Token), hinted.ID, true, who); err != nil {
		t.Fatal(err)
	}
	if _, err := r.engine.Authorize(ctx, r.as(bob.Token), hinted.ID, true, who); otpd.ErrorCode(err) != otpd.ENotFound {
		t.Errorf("bob completed ada's completed request: %v", err)
	}
	e := wantCode(t, r.engine.RemoveApp(ctx, r.as(bob.Token), "notes", who), otpd.ENotFound)
	if e.Field != "client_id" {
		t.Errorf("field %q", e.Field)
	}
	apps, err := r.engine.Apps(ctx, r.as(ada.Token))
	if err != nil || len(apps) != 1 || apps[0].App.Name != "Notes" || apps[0].Grant.AccountID != ada.Account.ID {
		t.Fatalf("ada's apps after bob's removal: %+v, %v", apps, err)
	}
	if bobs, _ := r.engine.Apps(ctx, r.as(bob.Token)); len(bobs) != 0 {
		t.Errorf("bob sees %+v", bobs)
	}
	if err := r.engine.RemoveApp(ctx, r.as(ada.Token), "notes", who); err != nil {
		t.Fatal(err)
	}
	if apps, _ := r.engine.Apps(ctx, r.as(ada.Token)); len(apps) != 0 {
		t.Errorf("after removal: %+v", apps)
	}
	if evs := r.events(t, ada.Account.ID, otpd.EventAppRemoved); len(evs) != 1 || evs[0].Concerns != "Notes" {
		t.Errorf("app_removed events %+v", evs)
	}
}

// A refused request cannot be completed afterwards, and unknown or
// expired requests answer not found.
func TestDenyAuthorization(t *testing.T) {
	r := newRig(t)
	r.withApp(t)
	in := r.signedIn(t, "ada@example.com")
	req := r.authRequest(t, "authz-deny")
	denied, err := r.engine.DenyAuthorization(ctx, req.ID)
	if err != nil || denied.RedirectURI != notesRedirect || denied.State != "st" {
		t.Fatalf("deny: %+v, %v", denied, err)
	}
	if _, err := r.engine.Authorize(ctx, r.as(in.Token), req.ID, true, who); otpd.ErrorCode(err) != otpd.ENotFound {
		t.Errorf("completed a denied request: %v", err)
	}
	if _, err := r.engine.DenyAuthorization(ctx, req.ID); otpd.ErrorCode(err) != otpd.ENotFound {
		t.Errorf("denied twice: %v", err)
	}
	old := r.authRequest(t, "authz-old")
	r.clock.Advance(11 * time.Minute)
	if _, _, err := r.engine.Authorization(ctx, r.as(in.Token), old.ID); otpd.ErrorCode(err) != otpd.ENotFound {
		t.Errorf("expired request: %v", err)
	}
	if _, _, err := r.engine.Authorization(ctx, signin.Caller{}, "nope"); otpd.ErrorCode(err) != otpd.ENotFound {
		t.Errorf("unknown request: %v", err)
	}
}

// The operator's own app, declared first party, is not consented to:
// signing in is enough, unless the app asks with prompt=consent. Its
// access is recorded all the same, so the owner sees and can remove it,
// and the first one is told.
func TestFirstPartyAppSkipsConsent(t *testing.T) {
	r := newRig(t)
	own := otpd.App{ID: "notes", Name: "Notes", Public: true, RedirectURIs: []string{notesRedirect},
		Scopes: []string{otpd.ScopeOpenID, otpd.ScopeEmail}, FirstParty: true, FromConfig: true}
	e := signin.New(signin.Deps{Store: r.store, Codes: r.book, Clock: r.clock, Limiter: limit.NewMemory(),
		Apps: []otpd.App{own}, Log: slog.New(slog.DiscardHandler)}, testPolicy())
	in := r.signedIn(t, "ada@example.com")
	c, err := e.Authenticate(ctx, in.Token)
	if err != nil {
		t.Fatal(err)
	}
	req := r.authRequest(t, "authz-own")
	if _, step, err := e.Authorization(ctx, c, req.ID); err != nil || step.Next != otpd.AuthIssue {
		t.Fatalf("first party, no grant: %+v, %v; want issue", step, err)
	}
	if _, err := e.Authorize(ctx, c, req.ID, false, who); err != nil {
		t.Fatalf("first party without a consent page: %v", err)
	}
	apps, err := e.Apps(ctx, c)
	if err != nil || len(apps) != 1 || apps[0].App.ID != "notes" {
		t.Errorf("App permissions after a first-party sign-in: %+v, %v", apps, err)
	}
	if evs := r.events(t, in.Account.ID, otpd.EventAppAuthorized); len(evs) != 1 {
		t.Errorf("%d app_authorized events, want 1", len(evs))
	}
	asked := r.authRequest(t, "authz-asked", func(q *otpd.AuthRequest) { q.Prompt = []string{otpd.PromptConsent} })
	if _, step, _ := e.Authorization(ctx, c, asked.ID); step.Next != otpd.AuthConsent {
		t.Errorf("first party asking prompt=consent: %+v, want consent", step)
	}
	if _, err := e.Authorize(ctx, c, asked.ID, false, who); otpd.ErrorCode(err) != otpd.EInvalid {
		t.Errorf("prompt=consent completed without consent: %v", err)
	}
}
