package signin_test

import (
	"strings"
	"testing"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/signin"
)

// denyToken is the "This wasn't me" token of the newest message to email;
// the Message-ID names the challenge.
func (r *rig) denyToken(t *testing.T, email string) string {
	t.Helper()
	m := r.inbox(t, email)[0]
	id, _, ok := strings.Cut(strings.TrimPrefix(m.MessageID, "<"), "@")
	if !ok {
		t.Fatalf("Message-ID %q", m.MessageID)
	}
	return r.book.DenyToken(id)
}

func TestDenyCancelsTheCode(t *testing.T) {
	r := newRig(t)
	owner := r.signedIn(t, "ada@example.com")
	f, err := r.engine.SignIn(ctx, "ada@example.com", stranger) // someone else asks
	if err != nil {
		t.Fatal(err)
	}
	code := r.code(t, "ada@example.com")
	token := r.denyToken(t, "ada@example.com")

	target, err := r.engine.DenyTarget(ctx, token)
	if err != nil || target.Status != otpd.StatusPending || target.FlowID != f.ID {
		t.Fatalf("DenyTarget: %+v, %v", target, err)
	}
	if _, err := r.engine.Verify(ctx, f.ID, wrongCode(code), who); otpd.ErrorCode(err) != otpd.EInvalidCode {
		t.Fatalf("looking at the deny page must not cancel the code: %v", err)
	}
	ch, err := r.engine.Deny(ctx, token, who)
	if err != nil || ch.Status != otpd.StatusDenied {
		t.Fatalf("Deny: %s, %v", ch.Status, err)
	}
	_, err = r.engine.Verify(ctx, f.ID, code, who)
	wantCode(t, err, otpd.ECodeExpired)

	evs, _ := r.engine.Activity(ctx, r.as(owner.Token), 10)
	if len(evs) < 2 || evs[1].Type != otpd.EventCodeDenied || evs[1].IP != who.IP {
		t.Errorf("activity %+v, want the report before the refused code", evs)
	}
	if _, err := r.engine.Authenticate(ctx, owner.Token); err != nil {
		t.Errorf("the report signed the owner out: %v", err)
	}
}

var stranger = signin.Requester{IP: "198.51.100.9", UserAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"}

// A report about a code that was used signs out whoever used it: every
// session started from the reported request's address since.
func TestDenyEndsSessionsFromReportedRequest(t *testing.T) {
	r := newRig(t)
	owner := r.signedIn(t, "ada@example.com")
	f, err := r.engine.SignIn(ctx, "ada@example.com", stranger)
	if err != nil {
		t.Fatal(err)
	}
	in, err := r.engine.Verify(ctx, f.ID, r.code(t, "ada@example.com"), stranger)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.engine.Deny(ctx, r.denyToken(t, "ada@example.com"), who); err != nil {
		t.Fatal(err)
	}
	if _, err := r.engine.Authenticate(ctx, in.Token); otpd.ErrorCode(err) != otpd.EUnauthorized {
		t.Errorf("the session started with the reported code survived: %v", err)
	}
	if _, err := r.engine.Authenticate(ctx, owner.Token); err != nil {
		t.Errorf("the owner's own session ended: %v", err)
	}
	wantEvent(t, r, otpd.Event{Type: otpd.EventSessionsEnded, Reason: otpd.ReasonReported, Concerns: "198.51.100.9"})
}

func TestDenyRefusesForgedLinks(t *testing.T) {
	r := newRig(t)
	r.signIn(t, "ada@example.com")
	r.code(t, "ada@example.com")
	good := r.denyToken(t, "ada@example.com")
	for _, tok := range []string{"", "x", good + "a", strings.Replace(good, ".", "x.", 1), "nochallenge." + strings.Split(good, ".")[1]} {
		_, err := r.engine.DenyTarget(ctx, tok)
		if e := wantCode(t, err, otpd.ENotFound); e.Field != "token" {
			t.Errorf("field %q", e.Field)
		}
		_, err = r.engine.Deny(ctx, tok, who)
		wantCode(t, err, otpd.ENotFound)
	}
}

// From the activity page, the owner reports a request by its flow, with
// the link's effect; another account's flow is not theirs to report.
func TestReportFromActivity(t *testing.T) {
	r := newRig(t)
	owner := r.signedIn(t, "ada@example.com")
	f, err := r.engine.SignIn(ctx, "ada@example.com", stranger)
	if err != nil {
		t.Fatal(err)
	}
	bob := r.signedIn(t, "bob@example.com")
	_, err = r.engine.ReportFlow(ctx, r.as(bob.Token), f.ID, who)
	wantCode(t, err, otpd.ENotFound)
	ch, err := r.engine.ReportFlow(ctx, r.as(owner.Token), f.ID, who)
	if err != nil || ch.Status != otpd.StatusDenied {
		t.Fatalf("ReportFlow: %s, %v", ch.Status, err)
	}
	wantEvent(t, r, otpd.Event{Type: otpd.EventCodeDenied})
}
