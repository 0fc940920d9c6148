package mail_test

import (
	"strings"
	"testing"
	"time"

	"github.com/otpd/otpd"
)

// addressPurposes send their code to an address that is not yet the
// account's, whose reader may never have heard of it.
var addressPurposes = []otpd.Purpose{otpd.PurposeChangeEmail, otpd.PurposeAddRecovery}

// A code for a new address speaks to whoever reads that address: the
// owner, or a stranger whose address someone typed in. It must not tell
// the stranger about "your account", and still offers the link that
// cancels the code.
func TestComposeAddressCodes(t *testing.T) {
	for lang, tc := range map[string]struct {
		says, not []string
		inSubject map[otpd.Purpose]string
	}{
		"en": {
			says: []string{"Not you? Then someone signed in to otpd is trying to add your address to their account. Without this code they cannot, so do not use it.",
				"This wasn't me", "The link cancels this code and records your report; the page asks you to confirm first",
				"If you have an account at otpd and want to look at it, open otpd the way you always do"},
			not: []string{"someone else typed in your address", "in your account's activity", "To look at your account"},
			inSubject: map[otpd.Purpose]string{otpd.PurposeChangeEmail: "123 456 is your code to confirm your new sign-in address",
				otpd.PurposeAddRecovery: "123 456 is your code to add a recovery address"},
		},
		"de": {
			says: []string{"Das waren nicht Sie? Dann versucht jemand, der bei otpd angemeldet ist, Ihre Adresse zu einem Konto hinzuzufügen. Ohne diesen Code gelingt das nicht; verwenden Sie ihn also nicht.",
				"Das war ich nicht", "Der Link macht diesen Code ungültig und vermerkt Ihre Meldung. Die Seite fragt vorher",
				"Wenn Sie ein Konto bei otpd haben und es ansehen möchten, öffnen Sie otpd wie gewohnt"},
			not: []string{"Ihre Adresse eingegeben", "in der Aktivität Ihres Kontos", "Um Ihr Konto anzusehen"},
			inSubject: map[otpd.Purpose]string{otpd.PurposeChangeEmail: "123 456 ist Ihr Code zum Bestätigen Ihrer neuen Anmeldeadresse",
				otpd.PurposeAddRecovery: "123 456 ist Ihr Code zum Hinzufügen einer Wiederherstellungsadresse"},
		},
	} {
		for _, p := range addressPurposes {
			d := codeData("123456", p)
			d.Lang = lang
			c := composer()
			c.CodeInSubject = true
			e := mustCompose(t, c, otpd.MessageCode, d)
			if e.Subject != tc.inSubject[p] {
				t.Errorf("%s/%s: subject %q, want %q", lang, p, e.Subject, tc.inSubject[p])
			}
			for name, body := range bodies(e) {
				for _, s := range tc.says {
					if !strings.Contains(body, s) {
						t.Errorf("%s/%s %s part lacks %q:\n%s", lang, p, name, s, body)
					}
				}
				for _, s := range tc.not {
					if strings.Contains(body, s) {
						t.Errorf("%s/%s %s part says %q to an address that is not the account's:\n%s", lang, p, name, s, body)
					}
				}
			}
		}
		// The account's own codes keep their words.
		d := codeData("123456", otpd.PurposeStepUp)
		d.Lang = lang
		e := mustCompose(t, composer(), otpd.MessageCode, d)
		if want := tc.not[1]; !strings.Contains(e.Text, want) || !strings.Contains(e.HTML, want) {
			t.Errorf("%s step-up code lacks %q:\n%s", lang, want, e.Text)
		}
	}
}

func emailChangedData(lang string) otpd.MessageData {
	// A code left in the data by mistake must not reach the mail.
	d := codeData("987654", otpd.PurposeChangeEmail)
	d.Lang, d.NewEmail, d.ExpiresAt = lang, "j•••@example.net", requested.Add(7*24*time.Hour)
	return d
}

func TestComposeEmailChanged(t *testing.T) {
	for lang, tc := range map[string]struct {
		subject string
		says    []string
	}{
		"en": {"Your otpd sign-in address was changed", []string{
			"The sign-in address of your otpd account was changed from this address (Ada@example.com) to j•••@example.net.",
			"Lagos, Nigeria (approximate)", "Chrome on Windows", "198.51.100.23", "08:26 UTC on Fri 14 March 2025",
			"If it was you, there is nothing to do. From now on you sign in with j•••@example.net; this address no longer signs in to the account.",
			"Undo the change with this link within 7 days, by 08:26 UTC on Fri 21 March 2025",
			"Undo this change", "moves the account back to this address, signs everyone out of it, and asks for a code at every sign-in for a while",
			"never asks for a code or a password", "open otpd the way you always do, never through a link in an email",
		}},
		"de": {"Ihre Anmeldeadresse bei otpd wurde geändert", []string{
			"Die Anmeldeadresse Ihres Kontos bei otpd wurde von dieser Adresse (Ada@example.com) auf j•••@example.net geändert.",
			"Lagos, Nigeria (ungefähr)", "Chrome unter Windows", "198.51.100.23", "14.03.2025, 08:26 UTC",
			"Wenn Sie das waren, müssen Sie nichts tun. Sie melden sich ab jetzt mit j•••@example.net an",
			"Machen Sie die Änderung innerhalb von 7 Tagen, bis zum 21.03.2025, 08:26 UTC, mit diesem Link rückgängig",
			"Änderung rückgängig machen", "stellt das Konto wieder auf diese Adresse um, beendet alle seine Sitzungen und verlangt eine Zeit lang bei jeder Anmeldung einen Code",
			"nie nach einem Code oder Passwort", "Öffnen Sie dann otpd wie gewohnt, nie über einen Link in einer E-Mail",
		}},
	} {
		t.Run(lang, func(t *testing.T) {
			e := mustCompose(t, composer(), otpd.MessageEmailChanged, emailChangedData(lang))
			if e.Subject != tc.subject {
				t.Errorf("subject %q, want %q", e.Subject, tc.subject)
			}
			noCode(t, lang+" email_changed", e)
			for name, body := range bodies(e) {
				for _, s := range tc.says {
					if !strings.Contains(body, s) {
						t.Errorf("%s part lacks %q:\n%s", name, s, body)
					}
				}
				// The link undoes the change; it is not labelled as a
				// report of a code.
				if strings.Contains(body, "This wasn't me") || strings.Contains(body, "Das war ich nicht") {
					t.Errorf("%s part labels the undo link as a deny link:\n%s", name, body)
				}
				if links := linkPattern.FindAllString(body, -1); len(links) != 1 || links[0] != denyURL {
					t.Errorf("%s part links to %q, want only %q", name, links, denyURL)
				}
			}
			if !strings.Contains(e.HTML, `<a href="`+denyURL+`"`) || !strings.Contains(e.HTML, `<html lang="`+lang+`">`) {
				t.Errorf("html part lacks the undo button or the language:\n%s", e.HTML)
			}
		})
	}
}

// The deadline follows the data: another undo window is not called 7
// days, and a notice whose data lacks one still goes out, without a date.
func TestComposeEmailChangedDeadline(t *testing.T) {
	for name, tc := range map[string]struct {
		expires time.Time
		lang    string
		says    string
	}{
		"one day":      {requested.Add(24 * time.Hour), "en", "within 1 day, by 08:26 UTC on Sat 15 March 2025:"},
		"one day de":   {requested.Add(24 * time.Hour), "de", "innerhalb von 1 Tag, bis zum 15.03.2025, 08:26 UTC,"},
		"no deadline":  {time.Time{}, "en", "Undo the change with this link as soon as you can; it works only for a few days:"},
		"under a day":  {requested.Add(time.Hour), "en", "as soon as you can"},
		"no deadl. de": {time.Time{}, "de", "Machen Sie die Änderung so bald wie möglich mit diesem Link rückgängig; er gilt nur wenige Tage:"},
	} {
		d := emailChangedData(tc.lang)
		d.ExpiresAt = tc.expires
		for part, body := range bodies(mustCompose(t, composer(), otpd.MessageEmailChanged, d)) {
			if !strings.Contains(body, tc.says) || strings.Contains(body, "7 days") || strings.Contains(body, "7 Tagen") {
				t.Errorf("%s: %s part does not say %q alone:\n%s", name, part, tc.says, body)
			}
		}
	}
}

func TestComposeEmailChangedWithoutDenyToken(t *testing.T) {
	d := emailChangedData("en")
	d.DenyToken = ""
	for name, body := range bodies(mustCompose(t, composer(), otpd.MessageEmailChanged, d)) {
		if l := linkPattern.FindAllString(body, -1); len(l) != 0 || strings.Contains(body, "Undo") {
			t.Errorf("%s part offers an undo link without a deny token:\n%s", name, body)
		}
		if !strings.Contains(body, "j•••@example.net") {
			t.Errorf("%s part lacks the new address:\n%s", name, body)
		}
	}
}

// The new address is the notice's point: without it the old address
// cannot learn where the account went.
func TestComposeEmailChangedRefusesNoNewEmail(t *testing.T) {
	for name, newEmail := range map[string]string{"empty": "", "blank": " \t", "control only": "\r\n\u202e"} {
		d := emailChangedData("de")
		d.NewEmail = newEmail
		e, err := composer().Compose(codeMessage(otpd.MessageEmailChanged), d)
		if err == nil {
			t.Errorf("%s: composed %q", name, e.Subject)
			continue
		}
		if !strings.Contains(err.Error(), "without the new address") || strings.Contains(err.Error(), "987654") || strings.ContainsAny(err.Error(), "\r\n") {
			t.Errorf("%s: error %q does not say what is missing, or repeats the code", name, err)
		}
	}
}

func TestComposeEmailChangedCleansNewEmail(t *testing.T) {
	d := emailChangedData("en")
	d.NewEmail = "<b>j</b>•••@example.net\r\n\r\nUndo nothing\u202e"
	e := mustCompose(t, composer(), otpd.MessageEmailChanged, d)
	if strings.Contains(e.HTML, "<b>j</b>") || !strings.Contains(e.HTML, "&lt;b&gt;j&lt;/b&gt;") {
		t.Errorf("html part does not escape the new address:\n%s", e.HTML)
	}
	for name, body := range bodies(e) {
		if strings.Contains(body, "\nUndo nothing") || strings.Contains(body, "\u202e") {
			t.Errorf("%s part lets the new address break out of its line:\n%s", name, body)
		}
	}
}

// Check renders the notice with and without its deadline, so a mistake in
// either branch of an override is found at start-up.
func TestCheckRendersEmailChanged(t *testing.T) {
	for _, branch := range []string{`{{if .ExpiresAt}}{{.Dyas}}{{end}}`, `{{if not .ExpiresAt}}{{.NewMail}}{{end}}`} {
		dir := t.TempDir()
		writeTemplate(t, dir, "de/email_changed.txt", `{{define "subject"}}Adresse{{end}}`+branch)
		c := composer()
		c.TemplateDir = dir
		if err := c.Check(); err == nil || !strings.Contains(err.Error(), "de/email_changed") {
			t.Errorf("%s: Check() = %v, want an error naming de/email_changed", branch, err)
		}
	}
}

// An operator's phrases.txt written before these purposes and this notice
// still works: they use no phrase names it might lack.
func TestCheckAcceptsOlderPhrases(t *testing.T) {
	var older strings.Builder
	for _, name := range []string{"action", "code name", "lifetime", "place", "device", "time", "ip", "warning",
		"not you", "deny label", "deny help", "go yourself", "footer"} {
		older.WriteString(`{{define "` + name + `"}}[` + name + `]{{end}}`)
	}
	dir := t.TempDir()
	for _, lang := range []string{"en", "de"} {
		writeTemplate(t, dir, lang+"/phrases.txt", older.String())
	}
	c := composer()
	c.TemplateDir = dir
	if err := c.Check(); err != nil {
		t.Fatalf("Check() with phrases from before: %v", err)
	}
	for _, p := range addressPurposes {
		if e := mustCompose(t, c, otpd.MessageCode, codeData("123456", p)); !strings.Contains(e.Text, "[not you]") {
			t.Errorf("%s: the operator's phrases are not used:\n%s", p, e.Text)
		}
	}
}
