package main

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/passcode"
	"github.com/otpd/otpd/smtptest"
)

var refLine = regexp.MustCompile(`Ref ([0-9A-Z]{4}-[0-9A-Z]{4})\.`)

// A message that leaves through SMTP carries its reference in its signed
// header, its text and its HTML, and the reference is the MAC of its
// Message-ID under the server's secret; the text says where to check it.
func TestRealMessageCarriesItsReference(t *testing.T) {
	sink := smtptest.Start(t)
	s := startServer(t, smtpEnv(sink))
	if _, err := s.client().SignIn(ctx, "ada@example.com"); err != nil {
		t.Fatal(err)
	}
	got := sink.WaitMessages(1, 10*time.Second)
	if len(got) != 1 {
		t.Fatalf("received %d messages", len(got))
	}
	h, text, html := parts(t, got[0].Data)
	verifyDKIM(t, got[0].Data, s.dir)
	ref := h.Get(otpd.RefHeader)
	if m := refLine.FindStringSubmatch(text); m == nil || m[1] != ref || !strings.Contains(html, "Ref "+ref) {
		t.Fatalf("header %s %q; the text and HTML must say the same:\n%s", otpd.RefHeader, ref, text)
	}
	secret, _, err := passcode.LoadOrCreateSecret(filepath.Join(s.dir, "secret.key"))
	if err != nil {
		t.Fatal(err)
	}
	book, err := passcode.New(secret, 9)
	if err != nil {
		t.Fatal(err)
	}
	if want := book.MessageRef(h.Get("Message-Id")); ref != want {
		t.Errorf("reference %s, want the MAC of the Message-ID, %s", ref, want)
	}
	if !strings.Contains(text, strings.TrimPrefix(s.url, "http://")+"/check") {
		t.Errorf("the text does not say where to check the message:\n%s", text)
	}
}
