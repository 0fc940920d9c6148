package signin_test

import (
	"strings"
	"testing"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/signin"
)

// appNotices delivers the outbox and returns the app notices in email's
// mailbox, newest first.
func (r *rig) appNotices(t *testing.T, email string) []otpd.Email {
	t.Helper()
	if _, err := r.worker.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	var out []otpd.Email
	for _, m := range r.inbox(t, email) {
		if strings.Contains(m.Text, "got access to your otpd account") {
			out = append(out, m)
		}
	}
	return out
}

// The first time an app gets access to an account, its owner is told at
// the account's address: which app, what it sees, from where, and to
// remove it under App permissions if it was not them. A second consent to
// the same app, even one that widens the grant, tells nobody; another
// account's consent tells only that account.
func TestAuthorizeTellsTheOwnerOnce(t *testing.T) {
	r := newRig(t)
	r.withApp(t)
	in := r.signedIn(t, "ada@example.com")
	c := r.as(in.Token)
	before := len(r.inbox(t, "ada@example.com"))
	if _, err := r.engine.Authorize(ctx, c, r.authRequest(t, "authz-first", func(q *otpd.AuthRequest) {
		q.Scopes = []string{otpd.ScopeOpenID}
	}).ID, true, who); err != nil {
		t.Fatal(err)
	}
	notices := r.appNotices(t, "ada@example.com")
	if len(notices) != 1 || len(r.inbox(t, "ada@example.com")) != before+1 {
		t.Fatalf("%d app notices (%d messages, %d before), want exactly one", len(notices), len(r.inbox(t, "ada@example.com")), before)
	}
	m := notices[0]
	if m.To != in.Account.Email || m.Subject != "Notes now has access to your account" {
		t.Errorf("notice to %s, subject %q", m.To, m.Subject)
	}
	for _, s := range []string{"Notes got access to your otpd account (ada@example.com) for the first time",
		"that it is you", "London", "Chrome on Windows", "203.0.113.7", "the way you always do", "App permissions"} {
		if !strings.Contains(m.Text, s) {
			t.Errorf("notice lacks %q:\n%s", s, m.Text)
		}
	}
	if strings.Contains(m.Text, "http") || strings.Contains(m.HTML, "<a ") || strings.Contains(m.Text, "your email address") {
		t.Errorf("notice has a link or words a scope not granted:\n%s", m.Text)
	}

	// Widened with consent, then asked again with prompt=consent: the
	// grant is not new, so nothing more is sent.
	r.clock.Advance(time.Minute)
	if _, err := r.engine.Authorize(ctx, c, r.authRequest(t, "authz-wider").ID, true, who); err != nil {
		t.Fatal(err)
	}
	if _, err := r.engine.Authorize(ctx, c, r.authRequest(t, "authz-again", func(q *otpd.AuthRequest) {
		q.Prompt = []string{otpd.PromptConsent}
	}).ID, true, who); err != nil {
		t.Fatal(err)
	}
	if _, err := r.engine.Authorize(ctx, c, r.authRequest(t, "authz-covered").ID, false, who); err != nil {
		t.Fatal(err)
	}
	if n := len(r.appNotices(t, "ada@example.com")); n != 1 {
		t.Errorf("%d app notices after later consents, want still 1", n)
	}

	// Another account's consent to the same app tells that account only.
	bob := r.signedIn(t, "bob@example.com")
	if _, err := r.engine.Authorize(ctx, r.as(bob.Token), r.authRequest(t, "authz-bob").ID, true, who); err != nil {
		t.Fatal(err)
	}
	if n := len(r.appNotices(t, "ada@example.com")); n != 1 {
		t.Errorf("another account's consent sent ada %d app notices in all, want still 1", n)
	}
	bobs := r.appNotices(t, "bob@example.com")
	if len(bobs) != 1 || bobs[0].To != bob.Account.Email || bobs[0].Subject != "Notes can now see your address" {
		t.Errorf("bob's app notices %+v", bobs)
	}
}

// A session that a password alone started has no code behind it; the
// notice is queued all the same.
func TestAuthorizeTellsTheOwnerAfterPasswordOnly(t *testing.T) {
	r := newRig(t)
	r.withApp(t)
	device, _ := r.owner(t)
	r.clock.Advance(time.Hour)
	res, err := r.engine.PasswordSignIn(ctx, "ada@example.com", goodPassword, device)
	if err != nil || res.SignedIn == nil {
		t.Fatalf("password sign-in from the remembered device: %+v, %v", res, err)
	}
	if res.SignedIn.Session.FlowID != "" {
		t.Fatalf("the session began with a code (flow %s)", res.SignedIn.Session.FlowID)
	}
	if _, err := r.engine.Authorize(ctx, r.as(res.SignedIn.Token), r.authRequest(t, "authz-pw").ID, true, device); err != nil {
		t.Fatal(err)
	}
	if n := len(r.appNotices(t, "ada@example.com")); n != 1 {
		t.Errorf("%d app notices after a password-only session's consent, want 1", n)
	}
}

// A completion refused (consent not given, no grant) queues nothing.
func TestAuthorizeRefusedTellsNobody(t *testing.T) {
	r := newRig(t)
	r.withApp(t)
	in := r.signedIn(t, "ada@example.com")
	_, err := r.engine.Authorize(ctx, r.as(in.Token), r.authRequest(t, "authz-no").ID, false, who)
	wantCode(t, err, otpd.EInvalid)
	_, err = r.engine.Authorize(ctx, signin.Caller{}, r.authRequest(t, "authz-nobody").ID, true, who)
	if err == nil {
		t.Fatal("the zero Caller completed a request")
	}
	if n := len(r.appNotices(t, "ada@example.com")); n != 0 {
		t.Errorf("%d app notices without consent, want none", n)
	}
}
