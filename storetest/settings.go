package storetest

import (
	"testing"
	"time"

	"github.com/otpd/otpd"
)

var settingsTests = []test{
	{"EndSessions", testEndSessions},
	{"CodeSignIn", testCodeSignIn},
	{"Language", testLanguage},
	{"SilentRequest", testSilentRequest},
}

// Signing out everywhere ends the account's other sessions, says how
// many, and leaves the one that asked and everyone else's.
func testEndSessions(t *testing.T, s otpd.Store) {
	acct, keep := signUp(t, s, "uma@example.com", t0)
	others := []otpd.Session{signIn(t, s, acct, t0.Add(time.Minute)), signIn(t, s, acct, t0.Add(2*time.Minute))}
	_, theirs := signUp(t, s, "vic@example.com", t0)
	at := t0.Add(time.Hour)
	ev := accountEvent(acct, otpd.EventSessionsEnded, at)
	n, err := s.EndSessions(t.Context(), acct.ID, keep.ID, ev)
	if err != nil || n != 2 {
		t.Fatalf("EndSessions = %d, %v; want 2", n, err)
	}
	for _, x := range others {
		if got := stored(t, s, x); !got.EndedAt.Equal(at) {
			t.Errorf("session %s ended at %v, want %v", x.ID, got.EndedAt, at)
		}
	}
	for _, x := range []otpd.Session{keep, theirs} {
		if got := stored(t, s, x); !got.EndedAt.IsZero() {
			t.Errorf("session %s ended too", x.ID)
		}
	}
	findEvent(t, s, acct.ID, ev.ID)
	if n, err := s.EndSessions(t.Context(), acct.ID, keep.ID, accountEvent(acct, otpd.EventSessionsEnded, at)); err != nil || n != 0 {
		t.Errorf("again: %d, %v; want 0", n, err)
	}
}

func testCodeSignIn(t *testing.T, s otpd.Store) {
	acct, _ := signUp(t, s, "wim@example.com", t0)
	if account(t, s, acct.ID).CodeSignInOff {
		t.Fatal("a new account has code-only sign-in off")
	}
	ev := accountEvent(acct, otpd.EventSettingsChanged, t0.Add(time.Hour))
	if err := s.SetCodeSignIn(t.Context(), acct.ID, false, ev); err != nil {
		t.Fatal(err)
	}
	if !account(t, s, acct.ID).CodeSignInOff {
		t.Error("code-only sign-in still on")
	}
	findEvent(t, s, acct.ID, ev.ID)
	if err := s.SetCodeSignIn(t.Context(), acct.ID, true, accountEvent(acct, otpd.EventSettingsChanged, t0.Add(2*time.Hour))); err != nil {
		t.Fatal(err)
	}
	if account(t, s, acct.ID).CodeSignInOff {
		t.Error("code-only sign-in did not come back on")
	}
	wantNotFound(t, s.SetCodeSignIn(t.Context(), "no-such-account", false, ev), "SetCodeSignIn of an unknown account")
}

// A request that sends nothing still leaves its challenge, with what it
// was for, and its event; and a code sent after a password says so.
func testSilentRequest(t *testing.T, s otpd.Store) {
	acct, _ := signUp(t, s, "xena@example.com", t0)
	claim(t, s, t0, 24*time.Hour, 10) // the sign-up's own message, out of the way
	req := codeRequest("xena@example.com", acct.ID, t0.Add(time.Hour))
	req.Message = otpd.OutboxMessage{}
	req.Challenge.AfterPassword = true
	mustRequest(t, s, req)
	if got := latest(t, s, req.Challenge.FlowID); !got.AfterPassword {
		t.Error("AfterPassword was not kept")
	}
	findEvent(t, s, acct.ID, req.Event.ID)
	if msgs := claim(t, s, t0.Add(time.Hour), time.Minute, 10); len(msgs) != 0 {
		t.Errorf("a request without a message queued %d", len(msgs))
	}
}

// An account keeps the language it chose, and only that account.
func testLanguage(t *testing.T, s otpd.Store) {
	acct, _ := signUp(t, s, "yara@example.com", t0)
	other, _ := signUp(t, s, "zeno@example.com", t0)
	if got := account(t, s, acct.ID).Language; got != "" {
		t.Fatalf("a new account has language %q", got)
	}
	if err := s.SetLanguage(t.Context(), acct.ID, "pt-BR"); err != nil {
		t.Fatal(err)
	}
	if got := account(t, s, acct.ID).Language; got != "pt-BR" {
		t.Errorf("language %q, want pt-BR", got)
	}
	if got, err := s.AccountByEmail(t.Context(), acct.Email); err != nil || got.Language != "pt-BR" {
		t.Errorf("by email: %q, %v", got.Language, err)
	}
	if got := account(t, s, other.ID).Language; got != "" {
		t.Errorf("another account's language became %q", got)
	}
	if err := s.SetLanguage(t.Context(), acct.ID, ""); err != nil || account(t, s, acct.ID).Language != "" {
		t.Errorf("forgetting the choice: %v", err)
	}
	wantNotFound(t, s.SetLanguage(t.Context(), "no-such-account", "de"), "SetLanguage of an unknown account")
}
