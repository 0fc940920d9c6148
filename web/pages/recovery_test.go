package pages_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/otpd/otpd/web/webtest"
)

// A recovery address through the pages: added behind a step-up and a
// code, offered on the code pages of sign-in and reset, and removed.
func TestPagesRecoveryAddress(t *testing.T) {
	r := webtest.New(t)
	b := r.Browser("")
	pageSignIn(t, r, b, "ada@example.com", false)
	pageStepUp(t, r, b, "ada@example.com", "/account/recovery")
	_, page := get(t, b, "/account/recovery")
	mustContain(t, page, "Add a recovery address", `action="/account/recovery"`)
	resp, _ := postForm(t, b, "/account/recovery", url.Values{"email": {"ada.backup@example.org"}})
	codeURL := wantRedirect(t, resp, "/account/addresses/")
	_, page = get(t, b, codeURL)
	mustContain(t, page, "a•••@example.org", "make that address your recovery address")
	resp, _ = postForm(t, b, codeURL+"/verify", url.Values{"code": {r.CodeAfter(t, "ada.backup@example.org", 0)}})
	loc := wantRedirect(t, resp, "/?done=recovery-added")
	_, page = get(t, b, loc)
	mustContain(t, page, "Your recovery address is added", "a•••@example.org", `href="/account/recovery/remove"`)

	// Another browser asks for the code at the recovery address from
	// the sign-in code page, and signs in with it.
	other := r.Browser("")
	resp, _ = postForm(t, other, "/sign-in", url.Values{"email": {"ada@example.com"}})
	_, page = get(t, other, wantRedirect(t, resp, "/flows/"))
	mustContain(t, page, `action="/sign-in"`, `name="send_to" value="recovery"`, "Send the code to my recovery address instead")
	resp, _ = postForm(t, other, "/sign-in", url.Values{"email": {"ada@example.com"}, "send_to": {"recovery"}})
	flowURL := wantRedirect(t, resp, "/flows/")
	if !strings.HasSuffix(flowURL, "?to=recovery") {
		t.Errorf("to %q, want the page for a code sent to the recovery address", flowURL)
	}
	_, page = get(t, other, flowURL)
	mustContain(t, page, "the recovery address of", "Send another code to my recovery address", `name="to" value="recovery"`)
	if strings.Contains(page, "/resend") {
		t.Error("the page offers a resend, which goes to the sign-in address")
	}
	path, _, _ := strings.Cut(flowURL, "?")
	resp, _ = postForm(t, other, path+"/verify", url.Values{"code": {r.CodeAfter(t, "ada.backup@example.org", 1)}, "to": {"recovery"}})
	if loc := wantRedirect(t, resp, "/"); loc != "/" {
		t.Fatalf("the recovery code: to %q", loc)
	}
	// A flow opened under another kind of page's path is not shown there.
	resp, page = get(t, other, "/password/reset/"+strings.TrimPrefix(path, "/flows/"))
	if resp.Status != http.StatusNotFound {
		t.Errorf("a sign-in flow on the reset page: %d", resp.Status)
	}
	mustContain(t, page, "not for this page")

	_, page = get(t, b, "/account/recovery/remove")
	mustContain(t, page, "Remove your recovery address?", `action="/account/recovery/remove"`)
	resp, _ = postForm(t, b, "/account/recovery/remove", nil)
	loc = wantRedirect(t, resp, "/?done=recovery-removed")
	_, page = get(t, b, loc)
	mustContain(t, page, "Your recovery address is removed", "None.")
}

// The reset page offers the recovery address too, and a bad send_to is
// refused on the field, as in the API.
func TestPagesResetToRecovery(t *testing.T) {
	r := webtest.New(t)
	b := r.Browser("")
	resp, _ := postForm(t, b, "/password/forgot", url.Values{"email": {"ada@example.com"}})
	_, page := get(t, b, wantRedirect(t, resp, "/password/reset/"))
	mustContain(t, page, `action="/password/forgot"`, `name="send_to" value="recovery"`)
	resp, _ = postForm(t, b, "/password/forgot", url.Values{"email": {"ada@example.com"}, "send_to": {"recovery"}})
	_, page = get(t, b, wantRedirect(t, resp, "/password/reset/"))
	mustContain(t, page, "its recovery address", `name="to" value="recovery"`)
	resp, page = postForm(t, b, "/password/forgot", url.Values{"email": {"ada@example.com"}, "send_to": {"elsewhere"}})
	if resp.Status != http.StatusBadRequest {
		t.Errorf("send_to elsewhere: %d", resp.Status)
	}
	mustContain(t, page, "Send_to must be")
}

// Code-only sign-in and signing out everywhere through the pages, each
// behind a step-up.
func TestPagesCodeSignInAndSignOutEverywhere(t *testing.T) {
	r := webtest.New(t)
	b := r.Browser("")
	pageSignIn(t, r, b, "ada@example.com", false)
	other := r.Session(t, "ada@example.com", "")
	resp, page := postForm(t, b, "/account/sign-out-everywhere", nil)
	if resp.Status != http.StatusForbidden {
		t.Errorf("without a step-up: %d", resp.Status)
	}
	mustContain(t, page, `name="return" value="/account/sign-out-everywhere"`)
	pageStepUp(t, r, b, "ada@example.com", "/account/sign-out-everywhere")
	_, page = get(t, b, "/account/sign-out-everywhere")
	mustContain(t, page, "Sign out all other sessions?", `action="/account/sign-out-everywhere"`)
	resp, _ = postForm(t, b, "/account/sign-out-everywhere", nil)
	_, page = get(t, b, wantRedirect(t, resp, "/?done=signed-out-everywhere"))
	mustContain(t, page, "Every other session of your account is signed out")
	_, err := other.Me(ctx)
	apiError(t, err, http.StatusUnauthorized, "unauthorized")

	_, page = get(t, b, "/account/code-sign-in")
	mustContain(t, page, "Code-only sign-in: anyone who knows your address", "<strong>on</strong>", "set a password</a> first")
	resp, page = postForm(t, b, "/account/code-sign-in", url.Values{"code_sign_in": {"off"}})
	if resp.Status != http.StatusBadRequest {
		t.Errorf("off without a password: %d", resp.Status)
	}
	mustContain(t, page, "Set a password first")
	resp, _ = postForm(t, b, "/account/code-sign-in", url.Values{"code_sign_in": {"maybe"}})
	if resp.Status != http.StatusBadRequest {
		t.Errorf("code_sign_in=maybe: %d", resp.Status)
	}

	postForm(t, b, "/account/password", url.Values{"password": {goodPassword}})
	_, page = get(t, b, "/account/code-sign-in")
	mustContain(t, page, `name="code_sign_in" value="off"`, "Turn code-only sign-in off")
	resp, _ = postForm(t, b, "/account/code-sign-in", url.Values{"code_sign_in": {"off"}})
	_, page = get(t, b, wantRedirect(t, resp, "/?done=code-sign-in-off"))
	mustContain(t, page, "Code-only sign-in is off.", "Code-only sign-in is <strong>off</strong>")
	resp, _ = postForm(t, b, "/account/code-sign-in", url.Values{"code_sign_in": {"on"}})
	wantRedirect(t, resp, "/?done=code-sign-in-on")
}
