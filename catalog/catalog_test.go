package catalog

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/otpd/otpd"
)

// Every language has every key of the English catalogue and no other,
// with the same placeholders and every plural form it needs. A failure
// names the file and the key, so that adding a key in English and
// forgetting a language says what to translate.
func TestEveryLanguageIsComplete(t *testing.T) {
	c := MustLoad()
	for _, err := range c.Check() {
		t.Error(err)
	}
	if len(c.Tags()) < 2 {
		t.Errorf("languages %v", c.Tags())
	}
}

// Check finds what a language lacks, has too many of, or words with
// other placeholders, and names each.
func TestCheckNamesWhatIsWrong(t *testing.T) {
	c := MustLoad()
	de := c.messages["de"]
	delete(de, "signin.heading")
	de["signin.extra"] = de["signin.email"]
	m := *de["address.replaces"]
	m.Other = "Ersetzt {{.Adresse}}."
	de["address.replaces"] = &m
	var got []string
	for _, err := range c.Check() {
		got = append(got, err.Error())
	}
	all := strings.Join(got, "\n")
	for _, want := range []string{`de.toml lacks "signin.heading"`, `de.toml has "signin.extra"`,
		`de.toml: "address.replaces": placeholders [Adresse], want [Email]`} {
		if !strings.Contains(all, want) {
			t.Errorf("Check said:\n%s\nwant a line with %s", all, want)
		}
	}
}

// Every error code a client can get has a message in every language.
func TestEveryErrorCodeHasWords(t *testing.T) {
	c := MustLoad()
	for _, code := range []string{otpd.EInvalid, otpd.EInvalidCode, otpd.ECodeExpired, otpd.ETooManyAttempts,
		otpd.ERateLimited, otpd.EUnauthorized, otpd.ENotFound, otpd.EInvalidCredentials, otpd.EStepUpRequired,
		otpd.EBusy, otpd.EInternal, "method_not_allowed", "unsupported_media_type", "forbidden"} {
		for _, l := range c.Langs() {
			if l.errorKey(&otpd.Error{Code: code}) == "" {
				t.Errorf("%s: no message for error code %s", l.Tag(), code)
			}
		}
	}
}

func TestErrorsAreSentencesInTheReadersLanguage(t *testing.T) {
	c := MustLoad()
	en, de := c.Lang("en"), c.Lang("de")
	lock := &otpd.Error{Code: otpd.ETooManyAttempts, Message: "too many failures; try again later", RetryAfter: 90 * time.Second}
	if got, want := en.Error(lock), "Too many failures; try again later (in 2 minutes)."; got != want {
		t.Errorf("en: %q, want %q", got, want)
	}
	if got := de.Error(lock); !strings.Contains(got, "2 Minuten") || strings.Contains(got, "try") {
		t.Errorf("de: %q", got)
	}
	wrong := &otpd.Error{Code: otpd.EInvalidCode, Field: "code", Message: "that code is wrong; 1 try left", AttemptsLeft: 1}
	if got := de.Error(wrong); !strings.Contains(got, "1 Versuch") || strings.Contains(got, "Versuche") {
		t.Errorf("de, one try left: %q", got)
	}
	email := otpd.FieldError("email", "the address has no @")
	if got, want := de.Error(email), de.T("fielderror.invalid_request.email"); got != want {
		t.Errorf("de, field: %q, want %q", got, want)
	}
	if got := en.APIError(email); got != "the address has no @" {
		t.Errorf("API in English keeps the engine's words: %q", got)
	}
}

// The account's choice wins over the browser's, the browser's best
// match over the default, and nonsense gets the default.
func TestChoose(t *testing.T) {
	c, err := Load("", "de")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ account, accept, want string }{
		{"", "", "de"},
		{"", "en-GB,en;q=0.9", "en"},
		{"", "fr-CH, de;q=0.5, en;q=0.4", "de"},
		{"en", "de", "en"},
		{"xx", "en", "en"},
		{"", "zz, yy;q=0.5", "de"},
		{"", strings.Repeat("en-US,", 100), "en"},
		{"", "\xff;;;", "de"},
	} {
		if got := c.Choose(tc.account, tc.accept).Tag(); got != tc.want {
			t.Errorf("Choose(%q, %.20q) = %s, want %s", tc.account, tc.accept, got, tc.want)
		}
	}
	if _, err := Load("", "xx"); err == nil {
		t.Error("a default the catalogue lacks was taken")
	}
}

// An operator's folder replaces messages; a file that would break one,
// or replaces nothing, stops the start naming the file.
func TestOverride(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("de.toml", "[signin]\nheading = \"Willkommen bei Beispiel\"\n")
	write("README", "not a catalogue")
	c, err := Load(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Lang("de").T("signin.heading"); got != "Willkommen bei Beispiel" {
		t.Errorf("override not used: %q", got)
	}
	if got := c.Lang("en").T("signin.heading"); got != "Sign in or create an account" {
		t.Errorf("English changed: %q", got)
	}
	for _, tc := range []struct{ file, body, want string }{
		{"de.toml", "[signin]\nheadline = \"x\"\n", `de.toml: key "signin.headline" replaces no message`},
		{"de.toml", "[address]\nreplaces = \"Ersetzt {{.Adresse}}.\"\n", `de.toml: key "address.replaces": placeholders`},
		{"xx.toml", "[signin]\nheading = \"x\"\n", `xx.toml: no language "xx"`},
		{"en.toml", "[signin\nheading = ", `en.toml`},
	} {
		bad := t.TempDir()
		if err := os.WriteFile(filepath.Join(bad, tc.file), []byte(tc.body), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := Load(bad, ""); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %q: %v, want %q", tc.file, tc.body, err, tc.want)
		}
	}
	if _, err := Load(filepath.Join(dir, "missing"), ""); err == nil {
		t.Error("a missing folder was taken")
	}
}

func TestDirAndHTML(t *testing.T) {
	c := MustLoad()
	if d := c.Lang("en").Dir(); d != "ltr" {
		t.Errorf("en is %s", d)
	}
	if got := string(c.Lang("en").HTML("home.signed_in_as", "Email", `<b>"x"</b>`)); strings.Contains(got, "<b>") {
		t.Errorf("argument not escaped: %s", got)
	}
	if got := c.Lang("en").T("no.such.key"); got != "⟦no.such.key⟧" {
		t.Errorf("a missing key reads %q", got)
	}
}

// Dates read in each language's words and order, always in UTC and
// saying so; every language names twelve months and seven days.
func TestDates(t *testing.T) {
	c := MustLoad()
	at := time.Date(2026, 3, 2, 14, 2, 9, 0, time.FixedZone("CET", 3600))
	en, de := c.Lang("en"), c.Lang("de")
	for _, tc := range []struct{ got, want string }{
		{en.Date(at), "Monday 2 March 2026"},
		{en.When(at), "2 Mar 2026, 13:02 UTC"},
		{en.Clock(at), "2 Mar 2026, 13:02:09 UTC"},
		{en.TimeOfDay(at, at.Add(-24*time.Hour)), "2 Mar, 13:02 UTC"},
		{de.Date(at), "Montag, 2. März 2026"},
		{de.When(at), "02.03.2026, 13:02 UTC"},
		{de.TimeOfDay(at, at), "13:02 UTC"},
		{de.Date(at.AddDate(0, 2, 0)), "Samstag, 2. Mai 2026"},
	} {
		if tc.got != tc.want {
			t.Errorf("%q, want %q", tc.got, tc.want)
		}
	}
	for _, l := range c.Langs() {
		for key, n := range map[string]int{"date.months": 12, "date.months_short": 12, "date.weekdays": 7, "date.weekdays_short": 7} {
			if got := len(strings.Fields(l.T(key))); got != n {
				t.Errorf("%s: %s has %d names, want %d", l.Tag(), key, got, n)
			}
		}
	}
}
