package mail_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/otpd/otpd"
)

// attackPlaces are the distinct places of a campaign, in order of first
// appearance.
var attackPlaces = []string{"Lagos, Nigeria", "Hanoi, Vietnam", "Quito, Ecuador", "Lima, Peru", "Oslo, Norway",
	"Perth, Australia", "Accra, Ghana"}

func attackData(lang string) otpd.MessageData {
	// A code left in the data by mistake must not reach the mail.
	d := codeData("987654", otpd.PurposeSignIn)
	d.Lang, d.Requests, d.Places, d.ExpiresAt = lang, 12, attackPlaces, requested.Add(time.Hour)
	return d
}

func TestComposeUnderAttack(t *testing.T) {
	for lang, tc := range map[string]struct {
		subject string
		says    []string
	}{
		"en": {"Someone is trying to get into your otpd account", []string{
			"Within a few minutes, 12 sign-in codes were asked for your otpd account (Ada@example.com), from " +
				"Lagos, Nigeria; Hanoi, Vietnam; Quito, Ecuador; Lima, Peru; Oslo, Norway; and 2 more places (approximate).",
			"This was not you, or not only you: someone is trying to get into your account.",
			"Until at least 09:26 UTC on Fri 14 March 2025, and longer if the requests go on, we have stopped sending codes to devices you have not used before: " +
				"you can still sign in on a device you signed in with before.",
			"You will not get an email for every further request: this is the only one.",
			"Nobody from otpd will ever call you or message you for a code. If anyone does, it is this attacker.",
			"Do not read out or forward any code",
			"Open otpd the way you always do, never through a link in an email.",
			"Check your account's activity and sessions",
			"Consider setting a password and turning off code-only sign-in: then a code alone never signs in to your account.",
			"Lagos, Nigeria (approximate)", "Chrome on Windows", "198.51.100.23", "08:26 UTC on Fri 14 March 2025",
			"This wasn't me", "records your report in your account's activity", "never asks for a code or a password",
		}},
		"de": {"Jemand versucht, in Ihr Konto bei otpd zu gelangen", []string{
			"Innerhalb weniger Minuten wurden für Ihr Konto bei otpd (Ada@example.com) 12 Anmeldecodes angefordert, von " +
				"Lagos, Nigeria; Hanoi, Vietnam; Quito, Ecuador; Lima, Peru; Oslo, Norway und 2 weiteren Orten aus (ungefähr).",
			"Das waren nicht Sie, oder nicht nur Sie: Jemand versucht, in Ihr Konto zu gelangen.",
			"Mindestens bis zum 14.03.2025, 09:26 UTC, und länger, wenn die Anforderungen weitergehen, senden wir keine Codes mehr an Geräte, die Sie bisher nicht verwendet haben: " +
				"Auf einem Gerät, mit dem Sie sich schon einmal angemeldet haben, können Sie sich weiterhin anmelden.",
			"Sie bekommen nicht für jede weitere Anforderung eine E-Mail, sondern nur diese eine.",
			"Niemand von otpd wird Sie jemals anrufen oder Ihnen schreiben, um nach einem Code zu fragen.",
			"Lesen Sie keinen Code vor und leiten Sie keinen weiter",
			"Öffnen Sie otpd wie gewohnt, nie über einen Link in einer E-Mail.",
			"Prüfen Sie die Aktivität und die Sitzungen Ihres Kontos",
			"Erwägen Sie, ein Passwort festzulegen und die Anmeldung nur mit Code auszuschalten: Dann genügt ein Code allein nie zur Anmeldung",
			"Lagos, Nigeria (ungefähr)", "Chrome unter Windows", "198.51.100.23", "14.03.2025, 08:26 UTC",
			"Das war ich nicht", "vermerkt Ihre Meldung in der Aktivität Ihres Kontos", "nie nach einem Code oder Passwort",
		}},
	} {
		t.Run(lang, func(t *testing.T) {
			e := mustCompose(t, composer(), otpd.MessageUnderAttack, attackData(lang))
			if e.Subject != tc.subject {
				t.Errorf("subject %q, want %q", e.Subject, tc.subject)
			}
			noCode(t, lang+" under_attack", e)
			for name, body := range bodies(e) {
				for _, s := range tc.says {
					if !strings.Contains(body, s) {
						t.Errorf("%s part lacks %q:\n%s", name, s, body)
					}
				}
				// Only the first five places are named.
				for _, p := range attackPlaces[5:] {
					if strings.Contains(body, p) {
						t.Errorf("%s part names %q, past the cut-off:\n%s", name, p, body)
					}
				}
				// The one link reports the request that revealed the
				// campaign, with its token.
				if links := linkPattern.FindAllString(body, -1); len(links) != 1 || links[0] != denyURL {
					t.Errorf("%s part links to %q, want only %q", name, links, denyURL)
				}
			}
			for _, want := range []string{`<a href="` + denyURL + `"`, `<html lang="` + lang + `">`, "<li>"} {
				if !strings.Contains(e.HTML, want) {
					t.Errorf("html part lacks %q:\n%s", want, e.HTML)
				}
			}
		})
	}
}

// The list of places follows the data: none known, one, exactly as many
// as are named, one past them, and as many as a campaign keeps, when the
// count of the rest is only a lower bound.
func TestComposeUnderAttackPlaces(t *testing.T) {
	many := make([]string, otpd.MaxCampaignPlaces)
	for i := range many {
		many[i] = fmt.Sprintf("City %d, Country", i+1)
	}
	for name, tc := range map[string]struct {
		places     []string
		lang, says string
		not        []string
	}{
		"none":          {nil, "en", "from unknown places.", []string{"(approximate).", "more place"}},
		"none de":       {nil, "de", "von unbekannten Orten aus.", []string{"(ungefähr).", "weiteren"}},
		"only blanks":   {[]string{"", " \r\n"}, "en", "from unknown places.", nil},
		"one":           {attackPlaces[:1], "en", "from Lagos, Nigeria (approximate).", []string{"more place"}},
		"five":          {attackPlaces[:5], "en", "Lima, Peru; Oslo, Norway (approximate).", []string{"more place"}},
		"six":           {attackPlaces[:6], "en", "Oslo, Norway; and 1 more place (approximate).", []string{"Perth"}},
		"six de":        {attackPlaces[:6], "de", "Oslo, Norway und 1 weiteren Ort aus (ungefähr).", []string{"Perth"}},
		"blank skipped": {append([]string{"", "Lagos, Nigeria"}, attackPlaces[1:5]...), "en", "from Lagos, Nigeria; Hanoi", []string{"more place"}},
		"capped":        {many, "en", "City 5, Country; and at least 15 more places (approximate).", []string{"City 6,"}},
		"capped de":     {many, "de", "City 5, Country und mindestens 15 weiteren Orten aus (ungefähr).", []string{"City 6,"}},
	} {
		d := attackData(tc.lang)
		d.Places = tc.places
		for part, body := range bodies(mustCompose(t, composer(), otpd.MessageUnderAttack, d)) {
			if !strings.Contains(body, tc.says) {
				t.Errorf("%s: %s part does not say %q:\n%s", name, part, tc.says, body)
			}
			for _, s := range tc.not {
				if strings.Contains(body, s) {
					t.Errorf("%s: %s part says %q:\n%s", name, part, s, body)
				}
			}
		}
	}
}

// A single request reads in the singular, and a purpose other than
// sign-in does not call the codes sign-in codes.
func TestComposeUnderAttackCount(t *testing.T) {
	for name, tc := range map[string]struct {
		requests int
		purpose  otpd.Purpose
		lang     string
		says     string
	}{
		"one":      {1, otpd.PurposeSignIn, "en", "1 sign-in code was asked for"},
		"one de":   {1, otpd.PurposeSignIn, "de", "wurde für Ihr Konto bei otpd (Ada@example.com) 1 Anmeldecode angefordert"},
		"reset":    {5, otpd.PurposeResetPassword, "en", "5 codes were asked for"},
		"reset de": {5, otpd.PurposeResetPassword, "de", "5 Codes angefordert"},
		"many":     {1000, otpd.PurposeSignIn, "en", "1000 sign-in codes were asked for"},
		"many de":  {1000, otpd.PurposeSignIn, "de", "wurden für Ihr Konto bei otpd (Ada@example.com) 1000 Anmeldecodes angefordert"},
		"two":      {2, otpd.PurposeSignIn, "en", "2 sign-in codes were asked for"},
	} {
		d := attackData(tc.lang)
		d.Requests, d.Purpose = tc.requests, tc.purpose
		for part, body := range bodies(mustCompose(t, composer(), otpd.MessageUnderAttack, d)) {
			if !strings.Contains(body, tc.says) {
				t.Errorf("%s: %s part does not say %q:\n%s", name, part, tc.says, body)
			}
		}
	}
}

// Without a deadline, or with one not after the start, the notice still
// goes out and only leaves the time out.
func TestComposeUnderAttackWithoutDeadline(t *testing.T) {
	for name, tc := range map[string]struct {
		expires    time.Time
		lang, says string
	}{
		"none":         {time.Time{}, "en", "For a while, we have stopped sending codes to devices you have not used before: you can still sign in"},
		"none de":      {time.Time{}, "de", "Vorerst senden wir keine Codes mehr an Geräte, die Sie bisher nicht verwendet haben: Auf einem Gerät"},
		"before start": {requested.Add(-time.Minute), "en", "For a while, we have stopped"},
	} {
		d := attackData(tc.lang)
		d.ExpiresAt = tc.expires
		for part, body := range bodies(mustCompose(t, composer(), otpd.MessageUnderAttack, d)) {
			if !strings.Contains(body, tc.says) || strings.Contains(body, "Until at least") || strings.Contains(body, "Mindestens bis") {
				t.Errorf("%s: %s part does not say %q alone:\n%s", name, part, tc.says, body)
			}
		}
	}
}

func TestComposeUnderAttackWithoutDenyToken(t *testing.T) {
	d := attackData("en")
	d.DenyToken = ""
	for name, body := range bodies(mustCompose(t, composer(), otpd.MessageUnderAttack, d)) {
		if l := linkPattern.FindAllString(body, -1); len(l) != 0 || strings.Contains(body, "This wasn't me") {
			t.Errorf("%s part links to %q without a deny token:\n%s", name, l, body)
		}
		if !strings.Contains(body, "12 sign-in codes") {
			t.Errorf("%s part lacks the count:\n%s", name, body)
		}
	}
}

// The number of requests is the notice's point, and a campaign is at
// least one: without it the notice would say "0 codes".
func TestComposeUnderAttackRefusesNoRequests(t *testing.T) {
	for _, n := range []int{0, -1} {
		d := attackData("de")
		d.Requests = n
		e, err := composer().Compose(codeMessage(otpd.MessageUnderAttack), d)
		if err == nil {
			t.Errorf("Requests %d: composed %q", n, e.Subject)
			continue
		}
		if !strings.Contains(err.Error(), "under_attack notice without its code requests") ||
			!strings.Contains(err.Error(), "want 1 or more") || strings.Contains(err.Error(), "987654") {
			t.Errorf("Requests %d: error %q does not say what is wrong, or repeats the code", n, err)
		}
	}
}

func TestComposeUnderAttackCleansPlaces(t *testing.T) {
	d := attackData("en")
	d.Places = []string{"<b>Lagos</b>, Nigeria\r\n\r\nAll is well\u202e", strings.Repeat("B", 10000)}
	e := mustCompose(t, composer(), otpd.MessageUnderAttack, d)
	if strings.Contains(e.HTML, "<b>Lagos</b>") || !strings.Contains(e.HTML, "&lt;b&gt;Lagos&lt;/b&gt;") {
		t.Errorf("html part does not escape the places:\n%s", e.HTML)
	}
	for name, body := range bodies(e) {
		if strings.Contains(body, "\nAll is well") || strings.Contains(body, "\u202e") {
			t.Errorf("%s part lets a place break out of its line:\n%s", name, body)
		}
	}
	if len(e.Text) > 6000 {
		t.Errorf("long places fill the mail: %d bytes", len(e.Text))
	}
}

// Check renders the notice with places and without, cut off or not, and
// with a deadline and without, so a mistake in any branch of an override
// is found at start-up.
func TestCheckRendersUnderAttack(t *testing.T) {
	for _, branch := range []string{
		`{{if .Places}}{{.Place5}}{{end}}`,
		`{{if not .Places}}{{.Plcaes}}{{end}}`,
		`{{if .MorePlaces}}{{.MorPlaces}}{{end}}`,
		`{{if .PlacesCapped}}{{.Capped}}{{end}}`,
		`{{if eq .Requests 1}}{{.Request}}{{end}}`,
		`{{if not .ExpiresAt}}{{.Until}}{{end}}`,
	} {
		dir := t.TempDir()
		writeTemplate(t, dir, "de/under_attack.txt", `{{define "subject"}}Angriff{{end}}`+branch)
		c := composer()
		c.TemplateDir = dir
		if err := c.Check(); err == nil || !strings.Contains(err.Error(), "de/under_attack") {
			t.Errorf("%s: Check() = %v, want an error naming de/under_attack", branch, err)
		}
	}
}
