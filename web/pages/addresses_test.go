package pages_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/otpd/otpd/web/webtest"
)

func TestPagesAccountSections(t *testing.T) {
	r := webtest.New(t)
	b := r.Browser("")
	pageSignIn(t, r, b, "ada@example.com", false)
	_, page := get(t, b, "/")
	mustContain(t, page,
		"Sign-in address", "a•••@example.com", `href="/account/email"`,
		"Recovery address", "None.", `href="/account/recovery"`,
		"Sign-in preferences", "Code-only sign-in: anyone who knows your address can ask for a code. Turn it off to sign in with your password and a code; codes asked for without your password are then not sent",
		`href="/account/code-sign-in"`, `action="/account/sign-out-everywhere"`, "Sign out all other sessions")
}

// A change of sign-in address through the pages: a step-up, a code sent
// to the new address, and the old address's link that undoes it.
func TestPagesChangeEmailAndUndo(t *testing.T) {
	r := webtest.New(t)
	b := r.Browser("")
	pageSignIn(t, r, b, "ada@example.com", false)
	_, page := get(t, b, "/account/email")
	mustContain(t, page, "Confirm it", `name="return" value="/account/email"`)
	pageStepUp(t, r, b, "ada@example.com", "/account/email")
	_, page = get(t, b, "/account/email")
	mustContain(t, page, `action="/account/email"`, "New sign-in address", "undoes the change for 7 days")
	resp, page := postForm(t, b, "/account/email", url.Values{"email": {"ada"}})
	if resp.Status != http.StatusBadRequest {
		t.Errorf("a malformed address: %d", resp.Status)
	}
	mustContain(t, page, `id="email-error"`, `aria-invalid="true"`, `value="ada"`)

	resp, _ = postForm(t, b, "/account/email", url.Values{"email": {"ada@new.example"}})
	codeURL := wantRedirect(t, resp, "/account/addresses/")
	// The code works only in the session that asked: another browser
	// is sent to the start page.
	resp, _ = get(t, r.Browser(""), codeURL)
	if loc := wantRedirect(t, resp, "/"); loc != "/" {
		t.Errorf("without the session, the code page sends to %q, want /", loc)
	}
	_, page = get(t, b, codeURL)
	mustContain(t, page, "a•••@new.example", `autocomplete="one-time-code"`, `action="`+codeURL+`/verify"`, "Change the sign-in address")
	resp, page = postForm(t, b, codeURL+"/verify", url.Values{"code": {"12"}})
	if resp.Status != http.StatusBadRequest {
		t.Errorf("a malformed code: %d", resp.Status)
	}
	mustContain(t, page, `id="code-error"`)
	old := r.Messages(t, "ada@example.com")
	resp, _ = postForm(t, b, codeURL+"/verify", url.Values{"code": {r.CodeAfter(t, "ada@new.example", 0)}})
	loc := wantRedirect(t, resp, "/?done=email-changed")
	_, page = get(t, b, loc)
	mustContain(t, page, "Your sign-in address is changed", "a•••@new.example")

	link := undoLink(t, r.Mail(t, "ada@example.com", old))
	_, page = get(t, r.Browser(""), link)
	mustContain(t, page, "Undo the change of your sign-in address?", "Move your account back to this address, sign everyone out", "a•••@new.example")
	if strings.Contains(page, "cancel this code") {
		t.Error("the undo page offers to cancel a code")
	}
	resp, page = postForm(t, r.Browser(""), link, nil)
	if resp.Status != http.StatusOK {
		t.Fatalf("undo: %d", resp.Status)
	}
	mustContain(t, page, "The change is undone", "everyone was signed out")
	_, page = get(t, b, "/")
	mustContain(t, page, "Your session has ended")

	// The link undoes once; after that it says what to do instead.
	resp, page = postForm(t, r.Browser(""), link, nil)
	if resp.Status != http.StatusNotFound {
		t.Errorf("a second undo: %d", resp.Status)
	}
	mustContain(t, page, "The change was not undone", "can no longer be undone", "Ask the people who run this site")
}

// When the old address has an account of its own by the time its owner
// opens the link, the change cannot be undone, and the page says so.
func TestPagesUndoRefusedWhenOldAddressIsTaken(t *testing.T) {
	r := webtest.New(t)
	c := r.Session(t, "ada@example.com", "")
	r.StepUp(t, c.Token, "ada@example.com")
	old := r.Messages(t, "ada@example.com")
	f, err := c.ChangeEmail(ctx, "ada@new.example")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ConfirmAddress(ctx, f.FlowID, r.CodeAfter(t, "ada@new.example", 0)); err != nil {
		t.Fatal(err)
	}
	link := undoLink(t, r.Mail(t, "ada@example.com", old))
	r.Session(t, "ada@example.com", "") // signs a new account up
	resp, page := postForm(t, r.Browser(""), link, nil)
	if resp.Status != http.StatusBadRequest {
		t.Errorf("undo onto a taken address: %d", resp.Status)
	}
	mustContain(t, page, "The change was not undone", "belongs to another account", "Ask the people who run this site")
	if _, err := c.Me(ctx); err != nil {
		t.Errorf("a refused undo signed the account out: %v", err)
	}
}
