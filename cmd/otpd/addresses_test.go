package main

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/otpd/otpd/client"
)

// undoLink is the one link of the notice to the old address after a
// change of address.
func undoLink(t *testing.T, m client.Message) string {
	t.Helper()
	links := denyLink.FindAllString(m.Text, -1)
	if len(links) != 1 {
		t.Fatalf("links %q in %q, want the undo link alone", links, m.Subject)
	}
	return links[0]
}

// hasEvent reports whether c's account's activity holds an event of typ.
func hasEvent(t *testing.T, c *client.Client, typ string) bool {
	t.Helper()
	evs, err := c.Activity(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range evs {
		if e.Type == typ {
			return true
		}
	}
	return false
}

// The sign-in address moves behind a step-up and a code sent to the new
// address; the old address is told, and its link moves the account back
// and signs everyone out.
func TestChangeEmailAndUndo(t *testing.T) {
	s := startServer(t, roomyLimits)
	c := s.signIn(t, "ada@example.com")
	other := s.signIn(t, "ada@example.com")
	_, err := c.ChangeEmail(ctx, "ada@new.example")
	apiError(t, err, http.StatusForbidden, "step_up_required")

	s.stepUp(t, c, "ada@example.com")
	old := s.messages(t, "ada@example.com")
	f, err := c.ChangeEmail(ctx, "ada@new.example")
	if err != nil {
		t.Fatal(err)
	}
	code := s.code(t, "ada@new.example", 0)
	_, err = other.ConfirmAddress(ctx, f.FlowID, code)
	if e := apiError(t, err, http.StatusBadRequest, "invalid_request"); e.Field != "flow_id" {
		t.Errorf("another session confirmed: field %q, want flow_id", e.Field)
	}
	acct, err := c.ConfirmAddress(ctx, f.FlowID, code)
	if err != nil || acct.Email != "ada@new.example" {
		t.Fatalf("ConfirmAddress = %+v, %v", acct, err)
	}
	notice := s.mail(t, "ada@example.com", old)
	if !strings.Contains(notice.Subject, "sign-in address was changed") || !strings.Contains(notice.Text, "a•••@new.example") {
		t.Errorf("notice to the old address %q:\n%s", notice.Subject, notice.Text)
	}
	link := undoLink(t, notice)

	moved := s.signIn(t, "ada@new.example")
	if me, err := moved.Me(ctx); err != nil || me.ID != acct.ID {
		t.Fatalf("the new address signs in to %+v, %v; want the account", me, err)
	}
	if !hasEvent(t, moved, "email_changed") {
		t.Error("no email_changed event")
	}

	resp, page := get(t, http.DefaultClient, link)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("undo page: %d", resp.StatusCode)
	}
	mustContain(t, page, "Move your account back to this address, sign everyone out", "a•••@new.example")
	resp, page = postForm(t, http.DefaultClient, link, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("undo: %d\n%s", resp.StatusCode, page)
	}
	mustContain(t, page, "The change is undone", "everyone was signed out")
	for _, ended := range []*client.Client{c, other, moved} {
		_, err := ended.Me(ctx)
		apiError(t, err, http.StatusUnauthorized, "unauthorized")
	}
	back := s.signIn(t, "ada@example.com")
	if me, err := back.Me(ctx); err != nil || me.ID != acct.ID {
		t.Fatalf("the old address signs in to %+v, %v; want the account back", me, err)
	}
	if !hasEvent(t, back, "email_change_undone") {
		t.Error("no email_change_undone event")
	}
}

// The code of an address that belongs to another account confirms
// nothing, and says which field is at fault.
func TestChangeEmailToTakenAddress(t *testing.T) {
	s := startServer(t, roomyLimits)
	s.signIn(t, "bob@example.com")
	c := s.signIn(t, "ada@example.com")
	s.stepUp(t, c, "ada@example.com")
	n := s.messages(t, "bob@example.com")
	f, err := c.ChangeEmail(ctx, "bob@example.com")
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ConfirmAddress(ctx, f.FlowID, s.code(t, "bob@example.com", n))
	if e := apiError(t, err, http.StatusBadRequest, "invalid_request"); e.Field != "email" {
		t.Errorf("field %q, want email", e.Field)
	}
	if me, err := c.Me(ctx); err != nil || me.Email != "ada@example.com" {
		t.Errorf("Me = %+v, %v; want the address unchanged", me, err)
	}
}

func TestRecoveryAddress(t *testing.T) {
	s := startServer(t, roomyLimits)
	c := s.signIn(t, "ada@example.com")
	_, err := c.AddRecovery(ctx, "ada.backup@example.org")
	apiError(t, err, http.StatusForbidden, "step_up_required")
	s.stepUp(t, c, "ada@example.com")
	f, err := c.AddRecovery(ctx, "ada.backup@example.org")
	if err != nil {
		t.Fatal(err)
	}
	acct, err := c.ConfirmAddress(ctx, f.FlowID, s.code(t, "ada.backup@example.org", 0))
	if err != nil || acct.RecoveryEmail != "a•••@example.org" || acct.Email != "ada@example.com" {
		t.Fatalf("ConfirmAddress = %+v, %v; want the recovery address, masked", acct, err)
	}

	// Sign-in and reset codes go to the recovery address when asked.
	primary := s.messages(t, "ada@example.com")
	anon := s.client()
	f, err = anon.SignInToRecovery(ctx, "ada@example.com")
	if err != nil {
		t.Fatal(err)
	}
	in, err := anon.Verify(ctx, f.FlowID, s.code(t, "ada.backup@example.org", 1))
	if err != nil || in.Account.ID != acct.ID {
		t.Fatalf("the recovery address's code: %+v, %v", in, err)
	}
	if _, err := anon.ForgotPasswordToRecovery(ctx, "ada@example.com"); err != nil {
		t.Fatal(err)
	}
	s.code(t, "ada.backup@example.org", 2)
	if got := s.messages(t, "ada@example.com"); got != primary {
		t.Errorf("the sign-in address got %d codes meant for the recovery address", got-primary)
	}

	if err := c.RemoveRecovery(ctx); err != nil {
		t.Fatal(err)
	}
	if me, err := c.Me(ctx); err != nil || me.RecoveryEmail != "" {
		t.Fatalf("Me = %+v, %v; want no recovery address", me, err)
	}
	err = c.RemoveRecovery(ctx)
	if e := apiError(t, err, http.StatusBadRequest, "invalid_request"); e.Field != "email" {
		t.Errorf("removing none: field %q, want email", e.Field)
	}
	// Without one, a code asked for the recovery address goes to the
	// sign-in address.
	f, err = anon.SignInToRecovery(ctx, "ada@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := anon.Verify(ctx, f.FlowID, s.code(t, "ada@example.com", primary)); err != nil {
		t.Fatalf("the code after the removal: %v", err)
	}
	if got := s.messages(t, "ada.backup@example.org"); got != 3 {
		t.Errorf("the recovery address got %d messages, want its own code, the sign-in's and the reset's", got)
	}
	for _, typ := range []string{"recovery_added", "recovery_removed"} {
		if !hasEvent(t, c, typ) {
			t.Errorf("no %s event", typ)
		}
	}
}

// Invariant 6 for send_to: the answer does not tell whether the account
// has a recovery address, or an account at all.
func TestSendToRecoveryDoesNotRevealIt(t *testing.T) {
	s := startServer(t, roomyLimits)
	c := s.signIn(t, "ada@example.com")
	s.stepUp(t, c, "ada@example.com")
	f, err := c.AddRecovery(ctx, "ada.backup@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ConfirmAddress(ctx, f.FlowID, s.code(t, "ada.backup@example.org", 0)); err != nil {
		t.Fatal(err)
	}
	s.signIn(t, "bob@example.com")
	for _, path := range []string{"/api/v1/sign-in", "/api/v1/password/forgot"} {
		var ref *http.Response
		var refKeys []string
		for _, email := range []string{"ada@example.com", "bob@example.com", "nobody@example.com"} {
			resp, body := postJSON(t, s.url+path, `{"email":"`+email+`","send_to":"recovery"}`, nil)
			keys := jsonKeys(t, body)
			if ref == nil {
				ref, refKeys = resp, keys
			}
			if resp.StatusCode != http.StatusAccepted || !slices.Equal(keys, refKeys) || !slices.Equal(headerNames(resp), headerNames(ref)) {
				t.Errorf("%s for %s: %d %q %q; want 202 %q %q", path, email, resp.StatusCode, keys, headerNames(resp), refKeys, headerNames(ref))
			}
		}
	}
	// Bob has no recovery address: his sign-in and reset codes came to
	// him; Ada's went to her recovery address.
	s.code(t, "bob@example.com", 2)
	s.code(t, "ada.backup@example.org", 2)
}
