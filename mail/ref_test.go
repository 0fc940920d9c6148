package mail_test

import (
	"strings"
	"testing"

	"github.com/otpd/otpd"
	otpdmail "github.com/otpd/otpd/mail"
)

// Every kind of message, in every language, says its reference and where
// to check it in both parts, as text to type rather than a link; the
// rendered message carries the reference in its header too. A message
// queued before references says neither.
func TestMessagesCarryTheirReference(t *testing.T) {
	c := composer()
	for _, lang := range []string{"en", "de"} {
		for _, kind := range []otpd.MessageKind{otpd.MessageCode, otpd.MessageNoAccount, otpd.MessagePasswordChanged} {
			m := codeMessage(kind)
			m.Ref = "K7QP-2MXD"
			d := codeData("123456789", otpd.PurposeSignIn)
			d.Lang, d.Change = lang, "changed"
			e, err := c.Compose(m, d)
			if err != nil {
				t.Fatal(err)
			}
			if e.Ref != "K7QP-2MXD" {
				t.Errorf("%s/%s: Email.Ref = %q", lang, kind, e.Ref)
			}
			for part, body := range bodies(e) {
				if !strings.Contains(body, "Ref K7QP-2MXD") || !strings.Contains(body, "login.example.com/check") {
					t.Errorf("%s/%s %s part lacks the reference or the check page:\n%s", lang, kind, part, body)
				}
				if strings.Contains(body, "//login.example.com/check") || strings.Contains(body, `href="https://login.example.com/check`) {
					t.Errorf("%s/%s %s part links the check page; it must be typed:\n%s", lang, kind, part, body)
				}
			}
			raw, err := otpdmail.Render(e)
			if err != nil {
				t.Fatal(err)
			}
			if h, _ := parts(t, raw); h.Get(otpd.RefHeader) != "K7QP-2MXD" {
				t.Errorf("%s/%s: header %s = %q", lang, kind, otpd.RefHeader, h.Get(otpd.RefHeader))
			}
		}
	}
	e := mustCompose(t, c, otpd.MessageCode, codeData("123456789", otpd.PurposeSignIn))
	if strings.Contains(e.Text, "Ref ") || strings.Contains(e.Text, "/check") {
		t.Errorf("a message without a reference speaks of one:\n%s", e.Text)
	}
}
