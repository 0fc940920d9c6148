package api_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/otpd/otpd/client"
	"github.com/otpd/otpd/web/webtest"
)

// The sign-in address moves behind a step-up and a code sent to the new
// address; the old address is told, and its link moves the account back
// and signs everyone out.
func TestChangeEmailAndUndo(t *testing.T) {
	r := webtest.New(t)
	c := r.Session(t, "ada@example.com", "")
	other := r.Session(t, "ada@example.com", "")
	_, err := c.ChangeEmail(ctx, "ada@new.example")
	apiError(t, err, http.StatusForbidden, "step_up_required")

	r.StepUp(t, c.Token, "ada@example.com")
	old := r.Messages(t, "ada@example.com")
	f, err := c.ChangeEmail(ctx, "ada@new.example")
	if err != nil {
		t.Fatal(err)
	}
	code := r.CodeAfter(t, "ada@new.example", 0)
	_, err = other.ConfirmAddress(ctx, f.FlowID, code)
	if e := apiError(t, err, http.StatusBadRequest, "invalid_request"); e.Field != "flow_id" {
		t.Errorf("another session confirmed: field %q, want flow_id", e.Field)
	}
	acct, err := c.ConfirmAddress(ctx, f.FlowID, code)
	if err != nil || acct.Email != "ada@new.example" {
		t.Fatalf("ConfirmAddress = %+v, %v", acct, err)
	}
	notice := r.Mail(t, "ada@example.com", old)
	if !strings.Contains(notice.Subject, "sign-in address was changed") || !strings.Contains(notice.Text, "a•••@new.example") {
		t.Errorf("notice to the old address %q:\n%s", notice.Subject, notice.Text)
	}
	link := undoLink(t, notice)

	moved := r.Session(t, "ada@new.example", "")
	if me, err := moved.Me(ctx); err != nil || me.ID != acct.ID {
		t.Fatalf("the new address signs in to %+v, %v; want the account", me, err)
	}
	if !hasEvent(t, moved, "email_changed") {
		t.Error("no email_changed event")
	}

	page := r.Browser("").Get(t, link)
	if page.Status != http.StatusOK {
		t.Fatalf("undo page: %d", page.Status)
	}
	mustContain(t, page.Body, "Move your account back to this address, sign everyone out", "a•••@new.example")
	page = r.Browser("").Post(t, link, nil)
	if page.Status != http.StatusOK {
		t.Fatalf("undo: %d\n%s", page.Status, page.Body)
	}
	mustContain(t, page.Body, "The change is undone", "everyone was signed out")
	for _, ended := range []*client.Client{c, other, moved} {
		_, err := ended.Me(ctx)
		apiError(t, err, http.StatusUnauthorized, "unauthorized")
	}
	back := r.Session(t, "ada@example.com", "")
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
	r := webtest.New(t)
	r.Session(t, "bob@example.com", "")
	c := r.Session(t, "ada@example.com", "")
	r.StepUp(t, c.Token, "ada@example.com")
	n := r.Messages(t, "bob@example.com")
	f, err := c.ChangeEmail(ctx, "bob@example.com")
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ConfirmAddress(ctx, f.FlowID, r.CodeAfter(t, "bob@example.com", n))
	if e := apiError(t, err, http.StatusBadRequest, "invalid_request"); e.Field != "email" {
		t.Errorf("field %q, want email", e.Field)
	}
	if me, err := c.Me(ctx); err != nil || me.Email != "ada@example.com" {
		t.Errorf("Me = %+v, %v; want the address unchanged", me, err)
	}
}

func TestRecoveryAddress(t *testing.T) {
	r := webtest.New(t)
	c := r.Session(t, "ada@example.com", "")
	_, err := c.AddRecovery(ctx, "ada.backup@example.org")
	apiError(t, err, http.StatusForbidden, "step_up_required")
	r.StepUp(t, c.Token, "ada@example.com")
	f, err := c.AddRecovery(ctx, "ada.backup@example.org")
	if err != nil {
		t.Fatal(err)
	}
	acct, err := c.ConfirmAddress(ctx, f.FlowID, r.CodeAfter(t, "ada.backup@example.org", 0))
	if err != nil || acct.RecoveryEmail != "a•••@example.org" || acct.Email != "ada@example.com" {
		t.Fatalf("ConfirmAddress = %+v, %v; want the recovery address, masked", acct, err)
	}

	// Sign-in and reset codes go to the recovery address when asked.
	primary := r.Messages(t, "ada@example.com")
	anon := r.Client("")
	f, err = anon.SignInToRecovery(ctx, "ada@example.com")
	if err != nil {
		t.Fatal(err)
	}
	in, err := anon.Verify(ctx, f.FlowID, r.CodeAfter(t, "ada.backup@example.org", 1))
	if err != nil || in.Account.ID != acct.ID {
		t.Fatalf("the recovery address's code: %+v, %v", in, err)
	}
	if _, err := anon.ForgotPasswordToRecovery(ctx, "ada@example.com"); err != nil {
		t.Fatal(err)
	}
	r.CodeAfter(t, "ada.backup@example.org", 2)
	if got := r.Messages(t, "ada@example.com"); got != primary {
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
	if _, err := anon.Verify(ctx, f.FlowID, r.CodeAfter(t, "ada@example.com", primary)); err != nil {
		t.Fatalf("the code after the removal: %v", err)
	}
	if got := r.Messages(t, "ada.backup@example.org"); got != 3 {
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
	r := webtest.New(t)
	c := r.Session(t, "ada@example.com", "")
	r.StepUp(t, c.Token, "ada@example.com")
	f, err := c.AddRecovery(ctx, "ada.backup@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ConfirmAddress(ctx, f.FlowID, r.CodeAfter(t, "ada.backup@example.org", 0)); err != nil {
		t.Fatal(err)
	}
	r.Session(t, "bob@example.com", "")
	for _, path := range []string{"/api/v1/sign-in", "/api/v1/password/forgot"} {
		var ref *http.Response
		var refKeys []string
		for _, email := range []string{"ada@example.com", "bob@example.com", "nobody@example.com"} {
			resp, body := webtest.PostJSON(t, r.URL+path, `{"email":"`+email+`","send_to":"recovery"}`, nil)
			keys := jsonKeys(t, body)
			if ref == nil {
				ref, refKeys = resp, keys
			}
			if resp.StatusCode != http.StatusAccepted || !slices.Equal(keys, refKeys) || !slices.Equal(webtest.HeaderNames(resp), webtest.HeaderNames(ref)) {
				t.Errorf("%s for %s: %d %q %q; want 202 %q %q", path, email, resp.StatusCode, keys, webtest.HeaderNames(resp), refKeys, webtest.HeaderNames(ref))
			}
		}
	}
	// Bob has no recovery address: his sign-in and reset codes came to
	// him; Ada's went to her recovery address.
	r.CodeAfter(t, "bob@example.com", 2)
	r.CodeAfter(t, "ada.backup@example.org", 2)
}
