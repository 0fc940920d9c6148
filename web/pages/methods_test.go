package pages_test

import (
	"bytes"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/otpd/otpd/web/webtest"
	"github.com/pquerna/otp/totp"
)

var (
	recoveryCodePattern = regexp.MustCompile(`<code>([A-Z0-9]{5}-[A-Z0-9]{5})</code>`)
	enrolmentPattern    = regexp.MustCompile(`name="enrolment" value="([^"]+)"`)
	secretPattern       = regexp.MustCompile(`<code class="secret">([A-Z2-7 ]+)</code>`)
)

// passwordFlowPage signs in with the password in a browser the account
// does not know, and returns the path of the code page it leads to.
func passwordFlowPage(t *testing.T, b *webtest.Browser, email string) string {
	t.Helper()
	resp, _ := postForm(t, b, "/sign-in/password", url.Values{"email": {email}, "password": {goodPassword}})
	path, _, _ := strings.Cut(wantRedirect(t, resp, "/flows/"), "?")
	return path
}

func TestPagesRecoveryCodes(t *testing.T) {
	r := webtest.New(t)
	r.Owner(t, "ada@example.com", "")
	b := r.Browser("")
	pageSignIn(t, r, b, "ada@example.com", false)
	_, page := get(t, b, "/account/methods")
	mustContain(t, page, "Sign-in methods", "Codes by email", "Authenticator app", "Make recovery codes")

	_, page = get(t, b, "/account/methods/recovery-codes")
	mustContain(t, page, "Confirm it&#39;s you", `href="/step-up/factor?return=`)
	pageStepUp(t, r, b, "ada@example.com", "/account/methods/recovery-codes")
	_, page = get(t, b, "/account/methods/recovery-codes")
	mustContain(t, page, `action="/account/methods/recovery-codes"`, "stop working")
	n := r.Messages(t, "ada@example.com")
	resp, page := postForm(t, b, "/account/methods/recovery-codes", nil)
	if resp.Status != http.StatusOK || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("making codes: %d, Cache-Control %q", resp.Status, resp.Header.Get("Cache-Control"))
	}
	mustContain(t, page, `download="recovery-codes.txt"`, `href="data:text/plain;charset=utf-8,`, "only time they are shown")
	var codes []string
	for _, m := range recoveryCodePattern.FindAllStringSubmatch(page, -1) {
		codes = append(codes, m[1])
	}
	if len(codes) != 10 {
		t.Fatalf("%d codes on the page, want 10", len(codes))
	}
	if m := r.Mail(t, "ada@example.com", n); !strings.Contains(m.Subject, "New recovery codes") {
		t.Errorf("notice %q", m.Subject)
	}
	_, page = get(t, b, "/account/methods")
	mustContain(t, page, "10 codes left", "none used yet")

	// Lost phone, lost mailbox: the password and a recovery code.
	stranger := r.Browser("")
	flow := passwordFlowPage(t, stranger, "ada@example.com")
	_, page = get(t, stranger, flow)
	mustContain(t, page, `href="`+flow+`/factor"`, "authenticator app or a recovery code")
	_, page = get(t, stranger, flow+"/factor")
	mustContain(t, page, `action="`+flow+`/factor"`, `value="recovery_codes"`, "Use the code from the email instead")
	resp, _ = postForm(t, stranger, flow+"/factor", url.Values{"method": {"recovery_codes"}, "code": {strings.ToLower(codes[2])}})
	wantRedirect(t, resp, "/")
	if !hasCookie(resp, "otpd_session") {
		t.Fatal("a recovery code signed in, but set no session cookie")
	}
	_, page = get(t, stranger, "/account/activity")
	mustContain(t, page, "Signed in with a password and a recovery code")

	again := r.Browser("")
	flow = passwordFlowPage(t, again, "ada@example.com")
	resp, page = postForm(t, again, flow+"/factor", url.Values{"method": {"recovery_codes"}, "code": {codes[2]}})
	if resp.Status != http.StatusBadRequest {
		t.Errorf("a used recovery code: %d", resp.Status)
	}
	mustContain(t, page, `class="field-error"`, "That code is wrong")
}

func TestPagesAuthenticatorApp(t *testing.T) {
	r := webtest.New(t)
	r.Owner(t, "ada@example.com", "")
	b := r.Browser("")
	pageSignIn(t, r, b, "ada@example.com", false)
	pageStepUp(t, r, b, "ada@example.com", "/account/methods/authenticator")
	resp, page := get(t, b, "/account/methods/authenticator")
	if resp.Status != http.StatusOK {
		t.Fatalf("add an app: %d\n%s", resp.Status, page)
	}
	token, secret := enrolmentPattern.FindStringSubmatch(page), secretPattern.FindStringSubmatch(page)
	if token == nil || secret == nil {
		t.Fatalf("no enrolment or key on the page:\n%s", page)
	}
	key := strings.ReplaceAll(secret[1], " ", "")
	qr := b.Get(t, "/account/methods/authenticator/qr?enrolment="+url.QueryEscape(token[1]))
	if qr.Status != http.StatusOK || qr.Header.Get("Content-Type") != "image/png" || !bytes.HasPrefix([]byte(qr.Body), []byte("\x89PNG")) {
		t.Errorf("QR code: %d %s", qr.Status, qr.Header.Get("Content-Type"))
	}
	if other := r.Browser("").Get(t, "/account/methods/authenticator/qr?enrolment="+url.QueryEscape(token[1])); other.Status == http.StatusOK {
		t.Error("another browser got the QR code of this session's enrolment")
	}
	resp, page = postForm(t, b, "/account/methods/authenticator", url.Values{"enrolment": {token[1]}, "code": {"000000"}})
	if resp.Status != http.StatusBadRequest {
		t.Errorf("a wrong first code: %d", resp.Status)
	}
	mustContain(t, page, "does not match", secret[1], `aria-invalid="true"`)
	code, err := totp.GenerateCode(key, r.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	resp, _ = postForm(t, b, "/account/methods/authenticator", url.Values{"enrolment": {token[1]}, "code": {code}})
	wantRedirect(t, resp, "/account/methods?done=totp-added")
	_, page = get(t, b, "/account/methods?done=totp-added")
	mustContain(t, page, "Your authenticator app is added", "never used yet", "Remove it")

	// An hour on, removing it takes a step-up, which the app can give.
	r.Clock.Advance(time.Hour)
	_, page = get(t, b, "/account/methods/authenticator/remove")
	mustContain(t, page, "Confirm it&#39;s you", "/step-up/factor")
	_, page = get(t, b, "/step-up/factor?return=%2Faccount%2Fmethods%2Fauthenticator%2Fremove")
	mustContain(t, page, `action="/step-up/factor"`, `value="totp"`)
	code, _ = totp.GenerateCode(key, r.Clock.Now())
	resp, _ = postForm(t, b, "/step-up/factor", url.Values{"method": {"totp"}, "code": {code}, "return": {"/account/methods/authenticator/remove"}})
	if loc := wantRedirect(t, resp, "/"); loc != "/account/methods/authenticator/remove" {
		t.Fatalf("after the step-up: to %q", loc)
	}
	resp, _ = postForm(t, b, "/account/methods/authenticator/remove", nil)
	wantRedirect(t, resp, "/account/methods?done=totp-removed")
	_, page = get(t, b, "/account/methods?done=totp-removed")
	mustContain(t, page, "authenticator app is removed", "Add an authenticator app")
}
