package mail_test

import (
	"strings"
	"testing"

	"github.com/otpd/otpd"
)

// appData is an app notice's data; a code and a deny token left in it by
// mistake must reach neither part.
func appData(lang string, scopes ...string) otpd.MessageData {
	d := codeData("987654", otpd.PurposeSignIn)
	d.Lang, d.App, d.Scopes = lang, "Example Notes", scopes
	return d
}

func TestComposeAppAuthorized(t *testing.T) {
	for lang, tc := range map[string]struct {
		subject, noAddress string
		says               []string
	}{
		"en": {"Example Notes can now see your address", "Example Notes now has access to your account",
			[]string{"Example Notes got access to your otpd account (Ada@example.com) for the first time.",
				"your email address", "that it is you", "access while you are away",
				"Lagos, Nigeria (approximate)", "Chrome on Windows", "198.51.100.23", "08:26 UTC on Fri 14 March 2025",
				"If it was you, there is nothing to do.",
				"Open otpd the way you always do, typing its address yourself, never through a link in an email, and remove Example Notes under App permissions"}},
		"de": {"Example Notes kann jetzt Ihre Adresse sehen", "Example Notes hat jetzt Zugriff auf Ihr Konto",
			[]string{"Example Notes hat zum ersten Mal Zugriff auf Ihr Konto bei otpd (Ada@example.com) erhalten.",
				"Ihre E-Mail-Adresse", "dass Sie es sind", "während Sie nicht da sind",
				"Lagos, Nigeria (ungefähr)", "Chrome unter Windows", "198.51.100.23", "14.03.2025, 08:26 UTC",
				"Wenn Sie das waren, müssen Sie nichts tun.",
				"Öffnen Sie otpd wie gewohnt, indem Sie die Adresse selbst eingeben, nie über einen Link in einer E-Mail, und entfernen Sie Example Notes unter App permissions"}},
	} {
		t.Run(lang, func(t *testing.T) {
			e := mustCompose(t, composer(), otpd.MessageAppAuthorized, appData(lang, "openid", "email", "offline_access"))
			if e.Subject != tc.subject {
				t.Errorf("subject %q, want %q", e.Subject, tc.subject)
			}
			noCode(t, "app notice", e)
			for name, body := range bodies(e) {
				for _, s := range tc.says {
					if !strings.Contains(body, s) {
						t.Errorf("%s part lacks %q:\n%s", name, s, body)
					}
				}
				// No link at all, though the data holds a deny token: the
				// reader goes to otpd by themselves.
				if l := linkPattern.FindAllString(body, -1); len(l) != 0 || strings.Contains(body, "/deny/") {
					t.Errorf("%s part links to %q:\n%s", name, l, body)
				}
			}
			if strings.Contains(e.HTML, "<a ") || !strings.Contains(e.HTML, `<html lang="`+lang+`">`) {
				t.Errorf("html part has a link or lacks the language:\n%s", e.HTML)
			}
			// Without the email scope the app does not see the address,
			// and the notice does not say it does.
			e = mustCompose(t, composer(), otpd.MessageAppAuthorized, appData(lang, "openid"))
			if e.Subject != tc.noAddress {
				t.Errorf("subject without the email scope %q, want %q", e.Subject, tc.noAddress)
			}
			for name, body := range bodies(e) {
				if strings.Contains(body, tc.says[1]) || strings.Contains(body, tc.says[3]) {
					t.Errorf("%s part words a scope the app was not given:\n%s", name, body)
				}
			}
		})
	}
}

// The app's name comes from whoever declared the app: it is cleaned like
// anything else from outside, and escaped in the HTML part.
func TestComposeAppAuthorizedCleansTheName(t *testing.T) {
	d := appData("en", "openid", "email")
	d.App = "Notes\r\nBcc: eve@example.com <b>x</b>"
	e := mustCompose(t, composer(), otpd.MessageAppAuthorized, d)
	if strings.ContainsAny(e.Subject, "\r\n") {
		t.Errorf("subject breaks lines: %q", e.Subject)
	}
	if strings.Contains(e.HTML, "<b>x</b>") || !strings.Contains(e.HTML, "&lt;b&gt;x&lt;/b&gt;") {
		t.Errorf("html part does not escape the app's name:\n%s", e.HTML)
	}
}

func TestComposeAppAuthorizedRefusesBadData(t *testing.T) {
	for name, d := range map[string]otpd.MessageData{
		"no app":           func() otpd.MessageData { d := appData("en", "openid"); d.App = ""; return d }(),
		"blank app":        func() otpd.MessageData { d := appData("de", "openid"); d.App = " \r\n\t"; return d }(),
		"no scopes":        appData("en"),
		"unknown scopes":   appData("en", "profile", "admin\r\nBcc: eve@example.com"),
		"unknown purpose":  func() otpd.MessageData { d := appData("en", "openid"); d.Purpose = "grant"; return d }(),
		"scopes in a list": appData("de", "openid email"),
	} {
		e, err := composer().Compose(codeMessage(otpd.MessageAppAuthorized), d)
		if err == nil {
			t.Errorf("%s: composed %q", name, e.Subject)
			continue
		}
		if strings.ContainsAny(err.Error(), "\r\n") || strings.Contains(err.Error(), "987654") {
			t.Errorf("%s: the error repeats the code or breaks lines: %q", name, err)
		}
		if name != "unknown purpose" && !strings.Contains(err.Error(), "app_authorized notice without") {
			t.Errorf("%s: error %q does not say what is wrong", name, err)
		}
	}
}

// Check renders every sample of the notice, so a mistake in the branch
// of one scope is found at start-up.
func TestCheckRendersAppAuthorized(t *testing.T) {
	dir := t.TempDir()
	writeTemplate(t, dir, "de/app_authorized.txt",
		`{{define "subject"}}App{{end}}{{range .Scopes}}{{if eq . "offline_access"}}{{$.Ap}}{{end}}{{end}}`)
	c := composer()
	c.TemplateDir = dir
	if err := c.Check(); err == nil || !strings.Contains(err.Error(), "de/app_authorized") {
		t.Fatalf("Check() = %v, want an error naming de/app_authorized", err)
	}
}
