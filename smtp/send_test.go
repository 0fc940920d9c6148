package smtp_test

import (
	"context"
	"crypto/x509"
	"net"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/smtp"
	"github.com/otpd/otpd/smtptest"
)

func TestSendArrivesSignedAsMultipart(t *testing.T) {
	srv := smtptest.Start(t)
	// A loopback relay without TLS works with no TLS setting.
	m := newMailer(t, srv, smtp.Config{})
	send(t, m, 1)
	got := wait(t, srv, 1)[0]
	if got.From != "no-reply@example.com" || !slices.Equal(got.To, []string{"alice@example.org"}) {
		t.Errorf("envelope is %s -> %v", got.From, got.To)
	}
	parts := alternatives(t, got.Data)
	if !strings.Contains(parts["text/plain"], "Your code is 000001.") || !strings.Contains(parts["text/html"], "<b>000001</b>") {
		t.Errorf("parts = %q", parts)
	}
	_, records := testSigner(t)
	algs, err := smtptest.VerifyDKIM(got.Data, records)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(algs, []string{"rsa-sha256", "ed25519-sha256"}) {
		t.Errorf("verified signatures %v, want RSA and Ed25519", algs)
	}
}

func TestSTARTTLSWithAuth(t *testing.T) {
	const user, pass = "otpd@example.com", "p@ss:w/rd %"
	srv := smtptest.Start(t, smtptest.WithTLS(), smtptest.WithAuth(user, pass))
	u := url.URL{Scheme: "smtp", User: url.UserPassword(user, pass), Host: srv.Addr()}
	m := newMailer(t, srv, smtp.Config{URL: u.String(), TLS: smtp.TLSRequire})
	send(t, m, 1)
	got := wait(t, srv, 1)[0]
	if !got.TLS || got.User != user {
		t.Errorf("message came with TLS %v as %q", got.TLS, got.User)
	}
}

func TestAuthLOGINWhenPLAINIsNotOffered(t *testing.T) {
	srv := smtptest.Start(t, smtptest.WithTLS(), smtptest.WithAuth("u", "p"), smtptest.WithAuthMechanisms("LOGIN"))
	m := newMailer(t, srv, smtp.Config{URL: "smtp://u:p@" + srv.Addr()})
	send(t, m, 1)
	if got := wait(t, srv, 1)[0]; got.User != "u" {
		t.Errorf("message came as %q", got.User)
	}
}

func TestImplicitTLS(t *testing.T) {
	srv := smtptest.Start(t, smtptest.WithImplicitTLS(), smtptest.WithAuth("u", "p"))
	m := newMailer(t, srv, smtp.Config{URL: "smtps://u:p@" + srv.Addr()})
	send(t, m, 1)
	if got := wait(t, srv, 1)[0]; !got.TLS || got.User != "u" {
		t.Errorf("message came with TLS %v as %q", got.TLS, got.User)
	}
}

func TestOpportunisticTakesSelfSignedSTARTTLS(t *testing.T) {
	srv := smtptest.Start(t, smtptest.WithTLS())
	// No RootCAs: a local relay's self-signed certificate is accepted.
	m, err := smtp.New(smtp.Config{URL: "smtp://" + srv.Addr(), Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	send(t, m, 1)
	if got := wait(t, srv, 1)[0]; !got.TLS {
		t.Error("STARTTLS was offered but not used")
	}
}

func TestRequireTLSFails(t *testing.T) {
	tests := []struct {
		name string
		srv  *smtptest.Server
		cfg  smtp.Config
		want string
	}{
		{"no STARTTLS", smtptest.Start(t), smtp.Config{TLS: smtp.TLSRequire}, "does not offer STARTTLS"},
		{"untrusted certificate", smtptest.Start(t, smtptest.WithTLS()), smtp.Config{TLS: smtp.TLSRequire, RootCAs: emptyPool()}, "certificate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newMailer(t, tt.srv, tt.cfg)
			err := m.Send(context.Background(), email(1))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error about %q", err, tt.want)
			}
			if isPermanent(err) {
				t.Error("TLS failure marked permanent; the relay may be fixed")
			}
			if n := len(tt.srv.Messages()); n != 0 {
				t.Errorf("%d messages went out in clear", n)
			}
		})
	}
}

func TestWrongPasswordIsPermanent(t *testing.T) {
	srv := smtptest.Start(t, smtptest.WithTLS(), smtptest.WithAuth("u", "right"))
	m := newMailer(t, srv, smtp.Config{URL: "smtp://u:wrong@" + srv.Addr()})
	err := m.Send(context.Background(), email(1))
	if !isPermanent(err) || !strings.Contains(err.Error(), "535") {
		t.Fatalf("got %v, want a permanent 535", err)
	}
}

func TestConnectionReuse(t *testing.T) {
	srv := smtptest.Start(t, smtptest.WithTLS(), smtptest.WithAuth("u", "p"))
	m := newMailer(t, srv, smtp.Config{URL: "smtp://u:p@" + srv.Addr()})
	for i := range 3 {
		send(t, m, i)
	}
	wait(t, srv, 3)
	if n := srv.Connections(); n != 1 {
		t.Errorf("3 messages took %d connections, want 1", n)
	}
}

func TestReconnectAfterRestart(t *testing.T) {
	srv := smtptest.Start(t)
	m := newMailer(t, srv, smtp.Config{})
	send(t, m, 1)
	srv.Stop()
	err := m.Send(context.Background(), email(2))
	if err == nil || isPermanent(err) {
		t.Fatalf("while the relay is down: got %v, want a temporary error", err)
	}
	srv.Restart()
	send(t, m, 3)
	wait(t, srv, 2)
	if n := srv.Connections(); n != 2 {
		t.Errorf("Connections = %d, want 2 (one before, one after the restart)", n)
	}
}

func TestRelayDroppedIdleConnection(t *testing.T) {
	srv := smtptest.Start(t)
	m := newMailer(t, srv, smtp.Config{})
	send(t, m, 1)
	// The relay restarts between two messages: the kept connection is
	// dead, and the next Send replaces it without failing.
	srv.Stop()
	srv.Restart()
	send(t, m, 2)
	wait(t, srv, 2)
	if n := srv.Connections(); n != 2 {
		t.Errorf("Connections = %d, want 2", n)
	}
}

func TestSilentRelayTimesOut(t *testing.T) {
	// A relay that accepts the connection and never greets.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { c.Close() })
		}
	}()
	m, err := smtp.New(smtp.Config{URL: "smtp://" + l.Addr().String(), Timeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	err = m.Send(context.Background(), email(1))
	if err == nil || isPermanent(err) || !strings.Contains(err.Error(), "timeout") {
		t.Fatalf("got %v, want a temporary timeout", err)
	}
}

func TestRelayRefuses(t *testing.T) {
	tests := []struct {
		code      int
		permanent bool
	}{{451, false}, {550, true}}
	for _, tt := range tests {
		srv := smtptest.Start(t)
		m := newMailer(t, srv, smtp.Config{})
		srv.FailNext(tt.code, "mailbox says no")
		err := m.Send(context.Background(), email(1))
		if err == nil || isPermanent(err) != tt.permanent || !strings.Contains(err.Error(), "mailbox says no") {
			t.Errorf("%d: got %v, want permanent=%v with the relay's text", tt.code, err, tt.permanent)
		}
		send(t, m, 2) // the refusal lasts one message
		wait(t, srv, 1)
	}
}

func TestHeaderInjectionSendsNothing(t *testing.T) {
	srv := smtptest.Start(t)
	m := newMailer(t, srv, smtp.Config{})
	tests := []struct {
		field  string
		change func(*otpd.Email)
	}{
		{"Subject", func(e *otpd.Email) { e.Subject = "Your code\r\nBcc: x@evil.example" }},
		{"From", func(e *otpd.Email) { e.From = "otpd\r\nBcc: x@evil.example <no-reply@example.com>" }},
	}
	for _, tt := range tests {
		e := email(1)
		tt.change(&e)
		err := m.Send(context.Background(), e)
		if !isPermanent(err) || !strings.Contains(err.Error(), tt.field) {
			t.Errorf("%s injection: got %v, want a permanent error naming the field", tt.field, err)
		}
	}
	if srv.Connections() != 0 || len(srv.Messages()) != 0 {
		t.Errorf("an injected message reached the relay")
	}
}

func TestConcurrentSendsShareFewConnections(t *testing.T) {
	srv := smtptest.Start(t)
	m := newMailer(t, srv, smtp.Config{MaxConns: 2})
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			if err := m.Send(context.Background(), email(i)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	wait(t, srv, 8)
	if n := srv.Connections(); n < 1 || n > 2 {
		t.Errorf("8 concurrent sends took %d connections, want at most 2", n)
	}
}

func TestIdleConnectionIsClosed(t *testing.T) {
	srv := smtptest.Start(t)
	m := newMailer(t, srv, smtp.Config{IdleTimeout: 20 * time.Millisecond})
	send(t, m, 1)
	waitFor(t, "the idle connection is closed", func() bool { return srv.Open() == 0 })
	send(t, m, 2)
	if n := srv.Connections(); n != 2 {
		t.Errorf("Connections = %d, want 2", n)
	}
}

func TestClose(t *testing.T) {
	srv := smtptest.Start(t)
	m := newMailer(t, srv, smtp.Config{})
	send(t, m, 1)
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the connection is closed", func() bool { return srv.Open() == 0 })
	err := m.Send(context.Background(), email(2))
	if err == nil || !strings.Contains(err.Error(), "closed") {
		t.Errorf("Send after Close: got %v", err)
	}
}

func TestSendGivesUpWithContext(t *testing.T) {
	srv := smtptest.Start(t)
	m := newMailer(t, srv, smtp.Config{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := m.Send(ctx, email(1))
	if err == nil || isPermanent(err) || !strings.Contains(err.Error(), "context canceled") {
		t.Errorf("got %v, want a temporary error naming the cancellation", err)
	}
}

func emptyPool() *x509.CertPool { return x509.NewCertPool() }
