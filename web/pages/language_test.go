package pages_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/otpd/otpd/web/webtest"
)

// A browser that asks for German gets German pages, <html lang="de">
// and German error sentences; English stays the default.
func TestPagesFollowTheBrowsersLanguage(t *testing.T) {
	r := webtest.New(t)
	b := r.Browser("")
	b.Language = "de-CH, de;q=0.9, en;q=0.5"
	a, page := get(t, b, "/")
	mustContain(t, page, `<html lang="de" dir="ltr">`, "Anmelden oder Konto erstellen", "<title>Anmelden · otpd</title>")
	if got := a.Header.Get("Content-Language"); got != "de" {
		t.Errorf("Content-Language %q", got)
	}
	_, page = postForm(t, b, "/sign-in", url.Values{"email": {"no address"}})
	mustContain(t, page, "Geben Sie eine gültige E-Mail-Adresse ein")
	b.Language = "sv, fi;q=0.8"
	_, page = get(t, b, "/")
	mustContain(t, page, `<html lang="en" dir="ltr">`, "Sign in or create an account")
}

// The account's choice wins over the browser's on every page, and it is
// the language of every email to the account, whoever asks for it: the
// browser of a stranger who types the address chooses nothing. An
// account that chose none gets the default, whatever the stranger's
// browser says.
func TestAccountLanguageRulesPagesAndEmails(t *testing.T) {
	r := webtest.New(t)
	ada := r.Browser("")
	ada.Language = "en-US,en;q=0.9"
	pageSignIn(t, r, ada, "ada@example.com", false)
	resp, _ := postForm(t, ada, "/account/language", url.Values{"language": {"de"}})
	if to := wantRedirect(t, resp, "/"); to != "/?done=language-set" {
		t.Errorf("to %q", to)
	}
	_, page := get(t, ada, "/?done=language-set")
	mustContain(t, page, `<html lang="de"`, "Ihr Konto", "Ihre Sprache ist gespeichert", `<option value="de" lang="de" selected>Deutsch</option>`)
	_, page = get(t, ada, "/account/sessions")
	mustContain(t, page, `<html lang="de"`, "Sitzungen")

	pageSignIn(t, r, r.Browser(""), "bob@example.com", false)

	stranger := r.Browser("198.51.100.7")
	for _, tc := range []struct{ email, accept, want, not string }{
		{"ada@example.com", "en-US,en;q=0.9", "Ihr Anmeldecode", "Your sign-in code"},
		{"bob@example.com", "de-DE,de;q=0.9", "Your sign-in code", "Anmeldecode"},
	} {
		n := r.Messages(t, tc.email)
		stranger.Language = tc.accept
		if a := stranger.Post(t, "/sign-in", url.Values{"email": {tc.email}}); a.Status != http.StatusSeeOther {
			t.Fatalf("sign-in for %s: %d", tc.email, a.Status)
		}
		m := r.Mail(t, tc.email, n)
		if !strings.Contains(m.Subject, tc.want) || strings.Contains(m.Subject+m.Text, tc.not) {
			t.Errorf("to %s, asked for in %s: subject %q", tc.email, tc.accept, m.Subject)
		}
	}

	// Forgetting the choice hands the pages back to the browser.
	postForm(t, ada, "/account/language", url.Values{"language": {""}})
	_, page = get(t, ada, "/")
	mustContain(t, page, `<html lang="en"`, "Your account")
	a, page := postForm(t, ada, "/account/language", url.Values{"language": {"xx"}})
	if a.Status != http.StatusBadRequest {
		t.Errorf("unknown language: %d", a.Status)
	}
	mustContain(t, page, "Language must be one of en, de")
}
