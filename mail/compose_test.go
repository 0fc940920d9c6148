package mail_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/mail"
)

var requested = time.Date(2025, 3, 14, 9, 26, 53, 0, time.FixedZone("CET", 3600))

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
		IP: "198.51.100.23", UserAgent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4)",
	}
}

func TestComposeCode(t *testing.T) {
	e, err := composer().Compose(codeMessage(otpd.MessageCode), codeData("123456789", otpd.PurposeSignIn))
	if err != nil {
		t.Fatal(err)
	}
	if e.MessageID != "<ch1@login.example.com>" || e.From != "otpd <no-reply@localhost>" ||
		e.To.String() != "Ada@example.com" || !e.Date.Equal(requested) {
		t.Errorf("headers: %+v", e)
	}
	if e.Subject != "Your sign-in code" {
		t.Errorf("subject %q", e.Subject)
	}
	for _, part := range []struct{ name, body string }{{"text", e.Text}, {"html", e.HTML}} {
		for _, want := range []string{
			"sign in to otpd",
			"08:36 UTC on Fri 14 March 2025", // expiry, in UTC
			"10 minutes after it was requested",
			"198.51.100.23",
			"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4)",
			"08:26 UTC on Fri 14 March 2025", // request time
			"We will never ask you for this code. Nobody from otpd will call or message you for it.",
			"If you did not ask for this code, do not share it; you can ignore this email, and check your account",
			"https://login.example.com/",
		} {
			if !strings.Contains(part.body, want) {
				t.Errorf("%s part lacks %q:\n%s", part.name, want, part.body)
			}
		}
		if strings.Contains(part.body, "123456789") {
			t.Errorf("%s part has the code ungrouped", part.name)
		}
	}
	if !regexp.MustCompile(`(?m)^123 456 789$`).MatchString(e.Text) {
		t.Errorf("the code does not stand alone on its own line:\n%s", e.Text)
	}
	if !strings.Contains(e.HTML, "<code>123 456 789</code>") || !strings.HasPrefix(e.HTML, "<!DOCTYPE html>") {
		t.Errorf("html part:\n%s", e.HTML)
	}
	if strings.Contains(e.HTML, "src=") || strings.Contains(e.HTML, "<link") {
		t.Errorf("html part loads something from outside:\n%s", e.HTML)
	}
}

func TestComposeSignUp(t *testing.T) {
	e, err := composer().Compose(codeMessage(otpd.MessageCode), codeData("123456", otpd.PurposeSignUp))
	if err != nil {
		t.Fatal(err)
	}
	if e.Subject != "Your code to create your account" || !strings.Contains(e.Text, "create your otpd account") {
		t.Errorf("subject %q, text:\n%s", e.Subject, e.Text)
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
		e, err := composer().Compose(codeMessage(otpd.MessageCode), codeData(code, otpd.PurposeSignIn))
		if err != nil {
			t.Fatalf("%s: %v", code, err)
		}
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
	} {
		_, err := composer().Compose(codeMessage(otpd.MessageCode), d)
		if err == nil {
			t.Errorf("%s: composed", name)
		} else if strings.Contains(err.Error(), d.Code) {
			t.Errorf("%s: the error repeats the code: %v", name, err)
		}
	}
	if _, err := composer().Compose(codeMessage("carrier_pigeon"), codeData("123456", otpd.PurposeSignIn)); err == nil {
		t.Error("composed an unknown kind")
	}
}

func TestComposeEscapesHostileRequester(t *testing.T) {
	d := codeData("123456", otpd.PurposeSignIn)
	d.UserAgent = `<script>alert("x")</script>` + "\r\n\r\nYour code is 000 000\u202e"
	e, err := composer().Compose(codeMessage(otpd.MessageCode), d)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(e.HTML, "<script>") || !strings.Contains(e.HTML, "&lt;script&gt;") {
		t.Errorf("html part does not escape the user agent:\n%s", e.HTML)
	}
	// In the text part the user agent stays on its own line: it cannot
	// forge a paragraph of its own or reorder the text around it.
	if strings.Contains(e.Text, "\nYour code is 000 000") || strings.Contains(e.Text, "\u202e") {
		t.Errorf("text part lets the user agent break out of its line:\n%s", e.Text)
	}
	d.UserAgent = strings.Repeat("A", 10000)
	e, err = composer().Compose(codeMessage(otpd.MessageCode), d)
	if err != nil {
		t.Fatal(err)
	}
	if len(e.Text) > 3000 {
		t.Errorf("a long user agent fills the mail: %d bytes", len(e.Text))
	}
}

func TestComposeNoAccount(t *testing.T) {
	// Even a code left in the data by mistake must not reach the mail.
	e, err := composer().Compose(codeMessage(otpd.MessageNoAccount), codeData("987654", otpd.PurposeSignIn))
	if err != nil {
		t.Fatal(err)
	}
	codeLike := regexp.MustCompile(`\d{3}[ -]?\d{3}`)
	for _, part := range []struct{ name, body string }{{"subject", e.Subject}, {"text", e.Text}, {"html", e.HTML}} {
		if m := codeLike.FindString(part.body); m != "" {
			t.Errorf("%s has %q, which looks like a code:\n%s", part.name, m, part.body)
		}
	}
	for _, want := range []string{
		"no account", "sign-up is closed", "https://login.example.com/", "Ada@example.com",
		"198.51.100.23", "08:26 UTC on Fri 14 March 2025", "nothing to do",
	} {
		if !strings.Contains(e.Text, want) || !strings.Contains(e.HTML, want) {
			t.Errorf("no-account mail lacks %q:\n%s\n%s", want, e.Text, e.HTML)
		}
	}
}
