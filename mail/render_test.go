package mail_test

import (
	"bytes"
	"mime"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/otpd/otpd"
	otpdmail "github.com/otpd/otpd/mail"
	"github.com/otpd/otpd/smtptest"
)

func renderEmail() otpd.Email {
	return otpd.Email{
		MessageID: "<ch1@login.example.com>",
		From:      "Example Sign-in <no-reply@example.com>",
		To:        otpd.MustParseAddress("alice@example.org"),
		Subject:   "Your sign-in code",
		Date:      time.Date(2026, 11, 3, 10, 0, 0, 0, time.UTC),
		Text:      "Your code is 123456.\nA line long enough to be wrapped by quoted-printable, which keeps lines under 76 characters.\n",
		HTML:      "<p>Your code is <b>123456</b>.</p>\n",
	}
}

// parts parses raw as a MIME message with the standard library, a reader
// independent of the writer, and returns its header and its parts' bodies
// by content type.
func parts(t *testing.T, raw []byte) (mail.Header, map[string]string) {
	t.Helper()
	h, ps, err := smtptest.Parts(raw)
	if err != nil {
		t.Fatalf("%v\n%s", err, raw)
	}
	got := map[string]string{}
	for _, p := range ps {
		if !strings.EqualFold(p.Charset, "utf-8") {
			t.Errorf("%s part has charset %q, want UTF-8", p.ContentType, p.Charset)
		}
		got[p.ContentType] = strings.ReplaceAll(p.Body, "\r\n", "\n")
	}
	return h, got
}

func TestRender(t *testing.T) {
	e := renderEmail()
	raw, err := otpdmail.Render(e)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(bytes.ReplaceAll(raw, []byte("\r\n"), nil), []byte("\n")) {
		t.Error("a line ends in a bare LF; SMTP needs CRLF")
	}
	h, bodies := parts(t, raw)
	want := map[string]string{
		"To":           "<alice@example.org>",
		"Subject":      e.Subject,
		"Date":         "Tue, 03 Nov 2026 10:00:00 +0000",
		"Message-ID":   e.MessageID,
		"MIME-Version": "1.0",
	}
	for k, v := range want {
		if got := h.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if from, err := h.AddressList("From"); err != nil || len(from) != 1 || from[0].String() != `"Example Sign-in" <no-reply@example.com>` {
		t.Errorf("From = %v (%v)", from, err)
	}
	for _, k := range []string{"User-Agent", "X-Mailer"} {
		if h.Get(k) != "" {
			t.Errorf("message tells its %s: %q", k, h.Get(k))
		}
	}
	if bodies["text/plain"] != e.Text {
		t.Errorf("text part = %q, want %q", bodies["text/plain"], e.Text)
	}
	if bodies["text/html"] != e.HTML {
		t.Errorf("HTML part = %q, want %q", bodies["text/html"], e.HTML)
	}
	if !bytes.Contains(raw, []byte("Content-Transfer-Encoding: quoted-printable")) {
		t.Error("parts are not quoted-printable")
	}
}

func TestRenderEncodesNonASCII(t *testing.T) {
	e := renderEmail()
	e.Subject = "Dein Anmeldecode für Müller"
	e.From = "Ötpd Anmeldung <no-reply@example.com>"
	e.Text = "Grüße — dein Code ist 123456.\n"
	raw, err := otpdmail.Render(e)
	if err != nil {
		t.Fatal(err)
	}
	head, _, _ := bytes.Cut(raw, []byte("\r\n\r\n"))
	for _, b := range head {
		if b >= 0x80 {
			t.Fatalf("header holds raw 8-bit text:\n%s", head)
		}
	}
	h, bodies := parts(t, raw)
	dec := new(mime.WordDecoder)
	if s, err := dec.DecodeHeader(h.Get("Subject")); err != nil || s != e.Subject {
		t.Errorf("Subject decodes to %q (%v), want %q", s, err, e.Subject)
	}
	from, err := h.AddressList("From")
	if err != nil || len(from) != 1 || from[0].Name != "Ötpd Anmeldung" || from[0].Address != "no-reply@example.com" {
		t.Errorf("From parses to %v (%v)", from, err)
	}
	if bodies["text/plain"] != e.Text {
		t.Errorf("text part = %q, want %q", bodies["text/plain"], e.Text)
	}
}

func TestRenderRefuses(t *testing.T) {
	tests := []struct {
		name   string
		change func(*otpd.Email)
		want   string
	}{
		{"CRLF in Subject", func(e *otpd.Email) { e.Subject = "Your code\r\nBcc: x@evil.example" }, "Subject contains a line break"},
		{"LF in Subject", func(e *otpd.Email) { e.Subject = "Your code\nBcc: x@evil.example" }, "Subject contains a line break"},
		{"CRLF in From name", func(e *otpd.Email) { e.From = "otpd\r\nBcc: x@evil.example <no-reply@example.com>" }, "From contains a line break"},
		{"NUL in Subject", func(e *otpd.Email) { e.Subject = "Your\x00code" }, "NUL"},
		{"CRLF in Message-ID", func(e *otpd.Email) { e.MessageID = "<a@b>\r\nBcc: x@evil.example" }, "Message-ID contains"},
		{"bad From", func(e *otpd.Email) { e.From = "not an address" }, "From"},
		{"no From", func(e *otpd.Email) { e.From = "" }, "no From"},
		{"no To", func(e *otpd.Email) { e.To = otpd.Address{} }, "no To"},
		{"no Date", func(e *otpd.Email) { e.Date = time.Time{} }, "no Date"},
		{"bare Message-ID", func(e *otpd.Email) { e.MessageID = "ch1@login.example.com" }, "<id@domain>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := renderEmail()
			tt.change(&e)
			raw, err := otpdmail.Render(e)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Render: got %v, want an error containing %q", err, tt.want)
			}
			if raw != nil {
				t.Errorf("Render produced %d bytes along with its error", len(raw))
			}
		})
	}
}
