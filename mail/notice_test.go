package mail_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/otpd/otpd"
)

var changes = []string{"set", "changed", "removed", "reset"}

// codeLike matches a group of digits as a code is shown; the HTML part's
// colours (#111827) match too, so a hit there counts only when the code's
// own digits are in the part.
var codeLike = regexp.MustCompile(`\d{3}[ -]?\d{3}`)

// noCode fails t when any part of e shows something like the code 987654.
func noCode(t *testing.T, what string, e otpd.Email) {
	t.Helper()
	for name, body := range map[string]string{"subject": e.Subject, "text": e.Text, "html": e.HTML} {
		if m := codeLike.FindString(body); m != "" && (name != "html" || strings.Contains(body, "987")) {
			t.Errorf("%s %s has %q, which looks like a code:\n%s", what, name, m, body)
		}
	}
}

func noticeData(lang, change string) otpd.MessageData {
	// A code left in the data by mistake must not reach the mail.
	d := codeData("987654", otpd.PurposeStepUp)
	d.Lang, d.Change = lang, change
	if change == "reset" {
		d.Purpose = otpd.PurposeResetPassword
	}
	return d
}

// wantNotice is what a password notice must say in one language.
type wantNotice struct {
	subjects map[string]string
	// what says what happened, per change; signedOut, only for "reset".
	what      map[string]string
	signedOut string
	says      []string
}

var wantNoticeByLang = map[string]wantNotice{
	"en": {
		subjects: map[string]string{"set": "A password was set for your account", "changed": "Your password was changed",
			"removed": "Your password was removed", "reset": "Your password was reset"},
		what: map[string]string{"set": "A password was set for your otpd account (Ada@example.com).",
			"changed": "The password of your otpd account (Ada@example.com) was changed.",
			"removed": "The password of your otpd account (Ada@example.com) was removed.",
			"reset":   "The password of your otpd account (Ada@example.com) was reset"},
		signedOut: "Every other session of your account was signed out.",
		says: []string{"Lagos, Nigeria (approximate)", "Chrome on Windows", "198.51.100.23", "08:26 UTC on Fri 14 March 2025",
			"If it was you, there is nothing to do.", "This wasn't me", "records your report in your account's activity",
			"open otpd the way you always do, never through a link", "check your sessions and sign-in methods"},
	},
	"de": {
		subjects: map[string]string{"set": "Für Ihr Konto wurde ein Passwort festgelegt", "changed": "Ihr Passwort wurde geändert",
			"removed": "Ihr Passwort wurde entfernt", "reset": "Ihr Passwort wurde zurückgesetzt"},
		what: map[string]string{"set": "Für Ihr Konto bei otpd (Ada@example.com) wurde ein Passwort festgelegt.",
			"changed": "Das Passwort Ihres Kontos bei otpd (Ada@example.com) wurde geändert.",
			"removed": "Das Passwort Ihres Kontos bei otpd (Ada@example.com) wurde entfernt.",
			"reset":   "Das Passwort Ihres Kontos bei otpd (Ada@example.com) wurde mit einem Code zurückgesetzt"},
		signedOut: "Alle anderen Sitzungen Ihres Kontos wurden beendet.",
		says: []string{"Lagos, Nigeria (ungefähr)", "Chrome unter Windows", "198.51.100.23", "14.03.2025, 08:26 UTC",
			"Wenn Sie das waren, müssen Sie nichts tun.", "Das war ich nicht", "vermerkt Ihre Meldung in der Aktivität",
			"Öffnen Sie dann otpd wie gewohnt, nie über einen Link", "prüfen Sie Ihre Sitzungen und Anmeldemethoden"},
	},
}

func TestComposePasswordChanged(t *testing.T) {
	for lang, want := range wantNoticeByLang {
		for _, change := range changes {
			t.Run(lang+"/"+change, func(t *testing.T) {
				e := mustCompose(t, composer(), otpd.MessagePasswordChanged, noticeData(lang, change))
				if e.Subject != want.subjects[change] {
					t.Errorf("subject %q, want %q", e.Subject, want.subjects[change])
				}
				noCode(t, "notice", e)
				for name, body := range bodies(e) {
					for _, s := range append([]string{want.what[change]}, want.says...) {
						if !strings.Contains(body, s) {
							t.Errorf("%s part lacks %q:\n%s", name, s, body)
						}
					}
					if strings.Contains(body, want.signedOut) != (change == "reset") {
						t.Errorf("%s part: says %q is %v, want it only for a reset", name, want.signedOut, !(change == "reset"))
					}
					// The one link is the report, with the token of the
					// challenge that allowed the change.
					if links := linkPattern.FindAllString(body, -1); len(links) != 1 || links[0] != denyURL {
						t.Errorf("%s part links to %q, want only %q", name, links, denyURL)
					}
				}
				if !strings.Contains(e.HTML, `<a href="`+denyURL+`"`) || !strings.Contains(e.HTML, `<html lang="`+lang+`">`) {
					t.Errorf("html part lacks the deny button or the language:\n%s", e.HTML)
				}
			})
		}
	}
}

func TestComposePasswordChangedWithoutDenyToken(t *testing.T) {
	d := noticeData("en", "changed")
	d.DenyToken = ""
	for name, body := range bodies(mustCompose(t, composer(), otpd.MessagePasswordChanged, d)) {
		if l := linkPattern.FindAllString(body, -1); len(l) != 0 || strings.Contains(body, "This wasn't me") {
			t.Errorf("%s part links to %q without a deny token:\n%s", name, l, body)
		}
	}
}

func TestComposePasswordChangedRefusesBadData(t *testing.T) {
	for name, d := range map[string]otpd.MessageData{
		"no change":       noticeData("en", ""),
		"unknown change":  noticeData("en", "deleted"),
		"change in caps":  noticeData("de", "Reset"),
		"hostile change":  noticeData("en", "reset\r\nBcc: eve@example.com"),
		"unknown purpose": func() otpd.MessageData { d := noticeData("en", "set"); d.Purpose = "reset"; return d }(),
	} {
		e, err := composer().Compose(codeMessage(otpd.MessagePasswordChanged), d)
		if err == nil {
			t.Errorf("%s: composed %q", name, e.Subject)
			continue
		}
		if strings.ContainsAny(err.Error(), "\r\n") || strings.Contains(err.Error(), "987654") {
			t.Errorf("%s: the error repeats the code or breaks lines: %q", name, err)
		}
		if name != "unknown purpose" && !strings.Contains(err.Error(), "unknown password change") {
			t.Errorf("%s: error %q does not say what is wrong", name, err)
		}
	}
}

func TestComposeNoAccountResetPassword(t *testing.T) {
	for lang, tc := range map[string]struct {
		subject string
		says    []string
		not     []string
	}{
		"en": {"Someone asked to reset a password for your address",
			[]string{"Someone asked to reset the password for this address (Ada@example.com) at otpd, but there is no account for it. No code was sent."},
			[]string{"sign-up", "sign in to otpd"}},
		"de": {"Jemand wollte ein Passwort für Ihre Adresse zurücksetzen",
			[]string{"Jemand wollte das Passwort für diese Adresse (Ada@example.com) bei otpd zurücksetzen, aber zu dieser Adresse gibt es kein Konto. Es wurde kein Code gesendet."},
			[]string{"neue Konten", "bei otpd anmelden"}},
	} {
		d := codeData("987654", otpd.PurposeResetPassword)
		d.Lang = lang
		e := mustCompose(t, composer(), otpd.MessageNoAccount, d)
		if e.Subject != tc.subject {
			t.Errorf("%s: subject %q, want %q", lang, e.Subject, tc.subject)
		}
		noCode(t, lang+" no-account", e)
		for name, body := range bodies(e) {
			for _, s := range tc.says {
				if !strings.Contains(body, s) {
					t.Errorf("%s %s part lacks %q:\n%s", lang, name, s, body)
				}
			}
			for _, s := range tc.not {
				if strings.Contains(body, s) {
					t.Errorf("%s %s part says %q, but this was a password reset:\n%s", lang, name, s, body)
				}
			}
			if l := linkPattern.FindAllString(body, -1); len(l) != 0 {
				t.Errorf("%s %s part links to %q", lang, name, l)
			}
		}
	}
}

// Check renders every change, so a mistake in the branch of one is found
// at start-up, not by the first person who removes their password.
func TestCheckRendersEveryChange(t *testing.T) {
	dir := t.TempDir()
	writeTemplate(t, dir, "de/password_changed.txt",
		`{{define "subject"}}Passwort{{end}}{{if eq .Change "removed"}}{{.Chnage}}{{end}}`)
	c := composer()
	c.TemplateDir = dir
	if err := c.Check(); err == nil || !strings.Contains(err.Error(), "de/password_changed") {
		t.Fatalf("Check() = %v, want an error naming de/password_changed", err)
	}
}

// The no-account message has no deny link even in an override that asks
// for one: there is no code to cancel and no account to keep the report.
func TestComposeNoAccountHasNoDenyURL(t *testing.T) {
	dir := t.TempDir()
	writeTemplate(t, dir, "en/no_account.txt", `{{define "subject"}}No account{{end}}link=[{{.DenyURL}}]`)
	c := composer()
	c.TemplateDir = dir
	for _, p := range allPurposes {
		if e := mustCompose(t, c, otpd.MessageNoAccount, codeData("123456", p)); e.Text != "link=[]" {
			t.Errorf("%s: the no-account view has a deny link: %q", p, e.Text)
		}
	}
}
