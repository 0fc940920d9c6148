package smtp_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"sync"
	"testing"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/dkim"
	"github.com/otpd/otpd/smtp"
	"github.com/otpd/otpd/smtptest"
)

// keys are made once: RSA key generation is slow enough to matter.
var keys = sync.OnceValues(func() (*dkim.Signer, error) {
	rsaKey, err := dkim.GenerateRSA()
	if err != nil {
		return nil, err
	}
	edKey, err := dkim.GenerateEd25519()
	if err != nil {
		return nil, err
	}
	return &dkim.Signer{Domain: "example.com", Selector: "otpd", RSA: rsaKey, Ed25519: edKey}, nil
})

// testSigner returns the DKIM signer and the TXT records that publish its
// keys, built with dkim.TXTRecord.
func testSigner(t *testing.T) (*dkim.Signer, map[string]string) {
	t.Helper()
	s, err := keys()
	if err != nil {
		t.Fatal(err)
	}
	records := map[string]string{}
	for sel, pub := range map[string]any{s.Selector: s.RSA.Public(), s.EdSelector(): s.Ed25519.Public()} {
		name, value, err := dkim.TXTRecord(sel, s.Domain, pub)
		if err != nil {
			t.Fatal(err)
		}
		records[name] = value
	}
	return s, records
}

func email(i int) otpd.Email {
	return otpd.Email{
		MessageID: fmt.Sprintf("<ch%d@login.example.com>", i),
		From:      "Example Sign-in <no-reply@example.com>",
		To:        otpd.MustParseAddress("alice@example.org"),
		Subject:   "Your sign-in code",
		Date:      time.Date(2026, 11, 3, 10, 0, i, 0, time.UTC),
		Text:      fmt.Sprintf("Your code is %06d.\n", i),
		HTML:      fmt.Sprintf("<p>Your code is <b>%06d</b>.</p>\n", i),
	}
}

// newMailer makes a Mailer for srv, signing with the test keys, and
// closes it when the test ends. URL defaults to smtp://srv.Addr().
func newMailer(t *testing.T, srv *smtptest.Server, c smtp.Config) *smtp.Mailer {
	t.Helper()
	if c.URL == "" {
		c.URL = "smtp://" + srv.Addr()
	}
	if c.Sign == nil {
		s, _ := testSigner(t)
		c.Sign = s.Sign
	}
	if c.RootCAs == nil {
		c.RootCAs = srv.RootCAs()
	}
	if c.Timeout == 0 {
		c.Timeout = 5 * time.Second
	}
	m, err := smtp.New(c)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close() })
	return m
}

func send(t *testing.T, m *smtp.Mailer, i int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := m.Send(ctx, email(i)); err != nil {
		t.Fatalf("send %d: %v", i, err)
	}
}

func wait(t *testing.T, srv *smtptest.Server, n int) []smtptest.Message {
	t.Helper()
	got := srv.WaitMessages(n, 10*time.Second)
	if len(got) != n {
		t.Fatalf("server has %d messages, want %d", len(got), n)
	}
	return got
}

// isPermanent tells whether err is marked final for the outbox worker.
func isPermanent(err error) bool {
	var perm *otpd.PermanentError
	return errors.As(err, &perm)
}

// alternatives parses raw with the standard library as
// multipart/alternative and returns its parts by content type.
func alternatives(t *testing.T, raw []byte) map[string]string {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("not an RFC 5322 message: %v", err)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type %q (%v), want multipart/alternative", msg.Header.Get("Content-Type"), err)
	}
	parts := map[string]string{}
	r := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			return parts
		}
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(p)
		if err != nil {
			t.Fatal(err)
		}
		ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		parts[ct] = string(body)
	}
}

// waitFor polls cond for a network event (a connection closing), up to a
// bound.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting until %s", what)
}
