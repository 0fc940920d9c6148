package mail_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/mail"
)

var requested = time.Date(2025, 3, 14, 9, 26, 53, 0, time.FixedZone("CET", 3600))

const (
	chromeOnWindows = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
	denyURL         = "https://login.example.com/deny/tok%2F1"
)

var allPurposes = []otpd.Purpose{otpd.PurposeSignIn, otpd.PurposeSignUp, otpd.PurposeResetPassword, otpd.PurposeStepUp,
	otpd.PurposeChangeEmail, otpd.PurposeAddRecovery}

func composer() *mail.Composer {
	return &mail.Composer{From: "otpd <no-reply@localhost>", PublicURL: "https://login.example.com/", Product: "otpd"}
}

func codeMessage(kind otpd.MessageKind) otpd.OutboxMessage {
	return otpd.OutboxMessage{
		ID: "m1", MessageID: "<ch1@login.example.com>", Kind: kind,
		To: otpd.MustParseAddress("Ada@Example.com"), CreatedAt: requested,
	}
}

func codeData(code string, p otpd.Purpose) otpd.MessageData {
	return otpd.MessageData{
		Code: code, Purpose: p, RequestedAt: requested, ExpiresAt: requested.Add(10 * time.Minute),
		IP: "198.51.100.23", UserAgent: chromeOnWindows, Place: "Lagos, Nigeria", DenyToken: "tok/1",
	}
}

func mustCompose(t *testing.T, c *mail.Composer, kind otpd.MessageKind, d otpd.MessageData) otpd.Email {
	t.Helper()
	e, err := c.Compose(codeMessage(kind), d)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// bodies names the two bodies of a message, for checks that hold for both.
func bodies(e otpd.Email) map[string]string { return map[string]string{"text": e.Text, "html": e.HTML} }

var linkPattern = regexp.MustCompile(`(?i)https?://[^\s"'<>]*`)

// wantLang is what one language must say, whatever the purpose.
type wantLang struct {
	acceptLanguage string
	subjects       map[otpd.Purpose]string
	purposes       map[otpd.Purpose]string
	says           []string
}

var wantByLang = map[string]wantLang{
	"en": {
		acceptLanguage: "en-GB,en;q=0.9",
		subjects: map[otpd.Purpose]string{
			otpd.PurposeSignIn: "Your sign-in code", otpd.PurposeSignUp: "Your code to create your account",
			otpd.PurposeResetPassword: "Your code to reset your password",
			otpd.PurposeStepUp:        "Your code to confirm a change to your account",
			otpd.PurposeChangeEmail:   "Your code to confirm your new sign-in address",
			otpd.PurposeAddRecovery:   "Your code to add a recovery address",
		},
		purposes: map[otpd.Purpose]string{
			otpd.PurposeSignIn: "to sign in at otpd", otpd.PurposeSignUp: "to create your account at otpd",
			otpd.PurposeResetPassword: "to reset your password at otpd",
			otpd.PurposeStepUp:        "to confirm a change to your account at otpd",
			otpd.PurposeChangeEmail:   "Use this code to confirm this address as your new sign-in address at otpd:",
			otpd.PurposeAddRecovery:   "Use this code to add this address for account recovery at otpd:",
		},
		says: []string{
			"expires at 08:36 UTC on Fri 14 March 2025", "10 minutes after it was requested",
			"Lagos, Nigeria (approximate)", "Chrome on Windows", "198.51.100.23", "08:26 UTC on Fri 14 March 2025",
			"Nobody from otpd will ever ask you for this code",
			"Never read it out, forward it, or type it on a page you reached from a link.",
			"This wasn't me", "cancels this code and records your report", "asks you to confirm",
		},
	},
	"de": {
		acceptLanguage: "de-DE,de;q=0.9",
		subjects: map[otpd.Purpose]string{
			otpd.PurposeSignIn: "Ihr Anmeldecode", otpd.PurposeSignUp: "Ihr Code zum Anlegen Ihres Kontos",
			otpd.PurposeResetPassword: "Ihr Code zum Zurücksetzen Ihres Passworts",
			otpd.PurposeStepUp:        "Ihr Code zum Bestätigen einer Änderung an Ihrem Konto",
			otpd.PurposeChangeEmail:   "Ihr Code zum Bestätigen Ihrer neuen Anmeldeadresse",
			otpd.PurposeAddRecovery:   "Ihr Code zum Hinzufügen einer Wiederherstellungsadresse",
		},
		purposes: map[otpd.Purpose]string{
			otpd.PurposeSignIn: "sich bei otpd anmelden", otpd.PurposeSignUp: "Ihr Konto bei otpd anlegen",
			otpd.PurposeResetPassword: "Ihr Passwort bei otpd zurücksetzen",
			otpd.PurposeStepUp:        "eine Änderung an Ihrem Konto bei otpd bestätigen",
			otpd.PurposeChangeEmail:   "Mit diesem Code können Sie diese Adresse als Ihre neue Anmeldeadresse bei otpd bestätigen:",
			otpd.PurposeAddRecovery:   "Mit diesem Code können Sie diese Adresse als Wiederherstellungsadresse für Ihr Konto bei otpd hinzufügen:",
		},
		says: []string{
			"läuft am 14.03.2025, 08:36 UTC ab", "10 Minuten nach der Anforderung",
			"Lagos, Nigeria (ungefähr)", "Chrome unter Windows", "198.51.100.23", "14.03.2025, 08:26 UTC",
			"Niemand von otpd wird Sie jemals nach diesem Code fragen",
			"geben Sie ihn nie auf einer Seite ein, die Sie über einen Link erreicht haben",
			"Das war ich nicht", "macht diesen Code ungültig und vermerkt Ihre Meldung", "fragt vorher nach Ihrer Bestätigung",
		},
	},
}

func TestComposeEveryPurposeAndLanguage(t *testing.T) {
	for lang, tr := range wantByLang {
		for _, p := range allPurposes {
			t.Run(lang+"/"+string(p), func(t *testing.T) {
				d := codeData("123456789", p)
				d.Lang = tr.acceptLanguage
				e := mustCompose(t, composer(), otpd.MessageCode, d)
				if e.MessageID != "<ch1@login.example.com>" || e.From != "otpd <no-reply@localhost>" ||
					e.To.String() != "Ada@example.com" || !e.Date.Equal(requested) {
					t.Errorf("headers: %+v", e)
				}
				if e.Subject != tr.subjects[p] {
					t.Errorf("subject %q, want %q", e.Subject, tr.subjects[p])
				}
				for name, body := range bodies(e) {
					for _, want := range append([]string{"123 456 789", tr.purposes[p]}, tr.says...) {
						if !strings.Contains(body, want) {
							t.Errorf("%s part lacks %q:\n%s", name, want, body)
						}
					}
					if strings.Contains(body, "123456789") {
						t.Errorf("%s part has the code ungrouped", name)
					}
					if links := linkPattern.FindAllString(body, -1); len(links) != 1 || links[0] != denyURL {
						t.Errorf("%s part links to %q, want only %q", name, links, denyURL)
					}
				}
				if !regexp.MustCompile(`(?m)^123 456 789$`).MatchString(e.Text) {
					t.Errorf("the code does not stand alone on its own line:\n%s", e.Text)
				}
				for _, want := range []string{"<!DOCTYPE html>", `<html lang="` + lang + `">`, "<code>123 456 789</code>", `<a href="` + denyURL + `"`} {
					if !strings.Contains(e.HTML, want) {
						t.Errorf("html part lacks %q", want)
					}
				}
				for _, bad := range []string{"src=", "<link", "<img", "<style", "<script", "url("} {
					if strings.Contains(strings.ToLower(e.HTML), bad) {
						t.Errorf("html part has %q: it must load nothing from elsewhere", bad)
					}
				}
			})
		}
	}
}

func TestComposeCodeInSubject(t *testing.T) {
	for lang, want := range map[string]string{"en": "123 456 is your sign-in code", "de": "123 456 ist Ihr Anmeldecode"} {
		c := composer()
		c.CodeInSubject = true
		d := codeData("123456", otpd.PurposeSignIn)
		d.Lang = lang
		if e := mustCompose(t, c, otpd.MessageCode, d); e.Subject != want {
			t.Errorf("%s: subject %q, want %q", lang, e.Subject, want)
		}
	}
	c := composer()
	c.CodeInSubject = true
	if e := mustCompose(t, c, otpd.MessageCode, codeData("123456", otpd.PurposeResetPassword)); e.Subject != "123 456 is your code to reset your password" {
		t.Errorf("subject %q", e.Subject)
	}
}

func TestComposeChoosesLanguage(t *testing.T) {
	for accept, want := range map[string]string{
		"de-DE,de;q=0.9":                   "Ihr Anmeldecode",
		"de-AT":                            "Ihr Anmeldecode",
		"fr-CH, fr;q=0.9, de;q=0.7":        "Ihr Anmeldecode",
		"en-US,en;q=0.9,de;q=0.8":          "Your sign-in code",
		"fr":                               "Your sign-in code",
		"":                                 "Your sign-in code",
		"*":                                "Your sign-in code",
		"de;q=zz;;\x00<script>":            "Your sign-in code",
		strings.Repeat("de-DE-x-", 5000):   "Your sign-in code",
		strings.Repeat("fr,", 1000) + "de": "Your sign-in code",
	} {
		d := codeData("123456", otpd.PurposeSignIn)
		d.Lang = accept
		if e := mustCompose(t, composer(), otpd.MessageCode, d); e.Subject != want {
			t.Errorf("Accept-Language %.40q: subject %q, want %q", accept, e.Subject, want)
		}
	}
}

func TestComposeWithoutDenyToken(t *testing.T) {
	d := codeData("123456", otpd.PurposeSignIn)
	d.DenyToken = ""
	for name, body := range bodies(mustCompose(t, composer(), otpd.MessageCode, d)) {
		if l := linkPattern.FindAllString(body, -1); len(l) != 0 || strings.Contains(body, "This wasn't me") {
			t.Errorf("%s part links to %q without a deny token:\n%s", name, l, body)
		}
	}
}

func TestComposeGroupsEveryLength(t *testing.T) {
	for code, want := range map[string]string{
		"123456":     "123 456",
		"1234567":    "123 4567",
		"12345678":   "123 456 78",
		"123456789":  "123 456 789",
		"1234567890": "123 456 7890",
	} {
		e := mustCompose(t, composer(), otpd.MessageCode, codeData(code, otpd.PurposeSignIn))
		if !strings.Contains(e.Text, "\n"+want+"\n") || strings.Contains(e.Subject, code[:3]) {
			t.Errorf("%s: want %q alone on a line and not in the subject:\n%s", code, want, e.Text)
		}
	}
}

func TestComposeRefusesBadData(t *testing.T) {
	for name, d := range map[string]otpd.MessageData{
		"short code":      codeData("12345", otpd.PurposeSignIn),
		"long code":       codeData("12345678901", otpd.PurposeSignIn),
		"not digits":      codeData("12345x", otpd.PurposeSignIn),
		"unknown purpose": codeData("123456", "reset"),
		"hostile purpose": codeData("123456", "sign_in\r\nBcc: eve@example.com"),
		"no expiry":       {Code: "123456", Purpose: otpd.PurposeSignIn, RequestedAt: requested},
	} {
		_, err := composer().Compose(codeMessage(otpd.MessageCode), d)
		if err == nil {
			t.Errorf("%s: composed", name)
		} else if strings.Contains(err.Error(), d.Code) || strings.ContainsAny(err.Error(), "\r\n") {
			t.Errorf("%s: the error repeats the code or breaks lines: %q", name, err)
		}
	}
	if _, err := composer().Compose(codeMessage("carrier_pigeon"), codeData("123456", otpd.PurposeSignIn)); err == nil {
		t.Error("composed an unknown kind")
	}
}

func TestComposeCleansHostileRequester(t *testing.T) {
	hostile := `<script>alert("x")</script>` + "\r\n\r\nYour code is 000 000\u202e"
	d := codeData("123456", otpd.PurposeSignIn)
	d.Place, d.IP = hostile, hostile
	d.UserAgent = "Mozilla/5.0 (Windows NT 10.0) Chrome/1 <b>forged</b>\r\nPlace: Home"
	e := mustCompose(t, composer(), otpd.MessageCode, d)
	if strings.Contains(e.HTML, "<script>") || !strings.Contains(e.HTML, "&lt;script&gt;") {
		t.Errorf("html part does not escape the place and IP:\n%s", e.HTML)
	}
	for name, body := range bodies(e) {
		// The values stay on their own line: they cannot forge a
		// paragraph of their own or reorder the text around them.
		if strings.Contains(body, "\nYour code is 000 000") || strings.Contains(body, "\u202e") {
			t.Errorf("%s part lets a value break out of its line:\n%s", name, body)
		}
		// The user agent is only read, never shown: it is free text
		// from whoever asked, and people cannot read it anyway.
		if strings.Contains(body, "forged") || strings.Contains(body, "Home") || !strings.Contains(body, "Chrome") {
			t.Errorf("%s part shows the raw user agent:\n%s", name, body)
		}
	}
	d.UserAgent, d.Place = strings.Repeat("A", 10000), strings.Repeat("B", 10000)
	if e := mustCompose(t, composer(), otpd.MessageCode, d); len(e.Text) > 4000 {
		t.Errorf("long values fill the mail: %d bytes", len(e.Text))
	}
}

func TestComposeSubjectIsOneLine(t *testing.T) {
	dir := t.TempDir()
	// An operator's subject that breaks lines itself, on top of a hostile
	// product name and the code.
	writeTemplate(t, dir, "en/code.txt", "{{define \"subject\"}}{{.Code}}\r\n{{.Product}}\nBcc: x{{end}}{{.Code}}")
	for _, c := range []*mail.Composer{composer(), {Product: "otpd\r\nBcc: eve@example.com", TemplateDir: dir, CodeInSubject: true}} {
		for _, kind := range []otpd.MessageKind{otpd.MessageCode, otpd.MessageNoAccount, otpd.MessagePasswordChanged, otpd.MessageEmailChanged,
			otpd.MessageUnderAttack} {
			d := codeData("123456", otpd.PurposeSignIn)
			d.Change, d.NewEmail = "reset", "j•••@example.com\r\nBcc: eve@example.com"
			d.Requests, d.Places = 3, []string{"Lagos, Nigeria\r\nBcc: eve@example.com"}
			e := mustCompose(t, c, kind, d)
			if strings.ContainsAny(e.Subject, "\r\n") || e.Subject != strings.TrimSpace(e.Subject) {
				t.Errorf("subject %q", e.Subject)
			}
		}
	}
}

func TestComposeNoAccount(t *testing.T) {
	for lang, says := range map[string][]string{
		"en": {"Someone tried to sign in", "no account", "sign-up is closed", "No code was sent", "nothing to do",
			"nobody from otpd will ever ask you for one", "08:26 UTC on Fri 14 March 2025", "Lagos, Nigeria"},
		"de": {"Jemand wollte sich", "kein Konto", "Es wurde kein Code gesendet", "müssen Sie nichts tun",
			"Niemand von otpd wird Sie jemals nach einem Code fragen", "14.03.2025, 08:26 UTC", "Lagos, Nigeria"},
	} {
		// Even a code left in the data by mistake must not reach the mail.
		d := codeData("987654", otpd.PurposeSignUp)
		d.Lang = lang
		e := mustCompose(t, composer(), otpd.MessageNoAccount, d)
		noCode(t, lang+" no-account", e)
		for name, body := range bodies(e) {
			// No link: there is no code to cancel, and a link in a mail
			// nobody expected is what people are taught not to click.
			if l := linkPattern.FindAllString(body, -1); len(l) != 0 {
				t.Errorf("%s %s links to %q", lang, name, l)
			}
		}
		for _, want := range append(says, "Ada@example.com", "198.51.100.23") {
			if !strings.Contains(e.Text, want) || !strings.Contains(e.HTML, want) {
				t.Errorf("%s no-account mail lacks %q:\n%s\n%s", lang, want, e.Text, e.HTML)
			}
		}
	}
}

func writeTemplate(t *testing.T, dir, name, content string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestTemplateOverride(t *testing.T) {
	dir := t.TempDir()
	writeTemplate(t, dir, "en/code.txt", `{{define "subject"}}Your {{.Product}} code{{end}}Here it is: {{.Code}}`)
	writeTemplate(t, dir, "README.md", "not a template; left alone")
	c := composer()
	c.TemplateDir = dir
	if err := c.Check(); err != nil {
		t.Fatal(err)
	}
	e := mustCompose(t, c, otpd.MessageCode, codeData("123456", otpd.PurposeSignIn))
	if e.Subject != "Your otpd code" || e.Text != "Here it is: 123 456" {
		t.Errorf("override not used: %q, %q", e.Subject, e.Text)
	}
	// Whatever the folder lacks comes from the embedded templates.
	if !strings.Contains(e.HTML, "Chrome on Windows") {
		t.Errorf("html part is not the embedded one:\n%s", e.HTML)
	}
	d := codeData("123456", otpd.PurposeSignIn)
	d.Lang = "de"
	if e := mustCompose(t, c, otpd.MessageCode, d); e.Subject != "Ihr Anmeldecode" {
		t.Errorf("German subject %q", e.Subject)
	}
}

func TestCheckReportsBrokenOverride(t *testing.T) {
	for name, tc := range map[string]struct{ file, content, says string }{
		"parse error":      {"de/code.html", `{{define "content"}}{{if}}{{end}}`, "de/code.html"},
		"unclosed action":  {"en/phrases.txt", `{{define "place"}}{{.Place`, "en/phrases.txt"},
		"misspelt field":   {"en/no_account.txt", `{{define "subject"}}Hi{{end}}{{.Plcae}}`, "en/no_account"},
		"code lost":        {"en/code.html", `{{define "content"}}no code{{end}}`, "code is not in both parts"},
		"empty subject":    {"de/code.txt", `{{define "subject"}} {{end}}{{.Code}}`, "empty subject"},
		"unknown file":     {"en/code.text", "{{.Code}}", "en/code.text replaces no template"},
		"unknown language": {"fr/code.txt", "{{.Code}}", "fr/code.txt replaces no template"},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			writeTemplate(t, dir, tc.file, tc.content)
			c := composer()
			c.TemplateDir = dir
			err := c.Check()
			if err == nil || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("Check() = %v, want an error saying %q", err, tc.says)
			}
			if _, cerr := c.Compose(codeMessage(otpd.MessageCode), codeData("123456", otpd.PurposeSignIn)); cerr == nil {
				t.Error("Compose works with templates Check refused")
			}
		})
	}
	c := composer()
	c.TemplateDir = filepath.Join(t.TempDir(), "missing")
	if err := c.Check(); err == nil {
		t.Error("a missing template folder passes Check")
	}
}

// Templates are parsed once however many workers compose at the same time;
// run with -race.
func TestComposeConcurrently(t *testing.T) {
	c := composer()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			d := codeData("123456", allPurposes[i%len(allPurposes)])
			d.Lang = []string{"en", "de"}[i%2]
			if _, err := c.Compose(codeMessage(otpd.MessageCode), d); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
}
