package smtptest_test

import (
	"crypto/tls"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/otpd/otpd/smtptest"
)

const body = "Subject: hi\r\n\r\nhello\r\n"

func send(c *smtp.Client) error {
	return c.SendMail("from@example.com", []string{"to@example.org"}, strings.NewReader(body))
}

func TestRecordsMessage(t *testing.T) {
	s := smtptest.Start(t)
	c, err := smtp.Dial(s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for range 2 {
		if err := send(c); err != nil {
			t.Fatal(err)
		}
	}
	got := s.WaitMessages(2, 5*time.Second)
	if len(got) != 2 {
		t.Fatalf("got %d messages, want 2", len(got))
	}
	m := got[0]
	if m.From != "from@example.com" || len(m.To) != 1 || m.To[0] != "to@example.org" || string(m.Data) != body || m.TLS || m.User != "" {
		t.Errorf("recorded %+v", m)
	}
	if s.Connections() != 1 {
		t.Errorf("Connections = %d, want 1", s.Connections())
	}
}

func TestAuthOverSTARTTLS(t *testing.T) {
	s := smtptest.Start(t, smtptest.WithTLS(), smtptest.WithAuth("user", "secret"))
	cfg := &tls.Config{RootCAs: s.RootCAs(), ServerName: "127.0.0.1"}
	tests := []struct {
		name string
		auth sasl.Client
		want int // SMTP code of the failure, 0 for success
	}{
		{"PLAIN", sasl.NewPlainClient("", "user", "secret"), 0},
		{"LOGIN", sasl.NewLoginClient("user", "secret"), 0},
		{"wrong password", sasl.NewPlainClient("", "user", "wrong"), 535},
		{"wrong LOGIN", sasl.NewLoginClient("user", "wrong"), 535},
		{"none", nil, 530},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := smtp.DialStartTLS(s.Addr(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if tt.auth != nil {
				err = c.Auth(tt.auth)
			}
			if err == nil {
				err = send(c)
			}
			var se *smtp.SMTPError
			switch {
			case tt.want == 0 && err != nil:
				t.Fatalf("send: %v", err)
			case tt.want != 0 && (!errors.As(err, &se) || se.Code != tt.want):
				t.Fatalf("got %v, want SMTP %d", err, tt.want)
			}
		})
	}
	got := s.Messages()
	if len(got) != 2 || !got[0].TLS || got[0].User != "user" {
		t.Errorf("recorded %+v", got)
	}
}

func TestImplicitTLS(t *testing.T) {
	s := smtptest.Start(t, smtptest.WithImplicitTLS())
	c, err := smtp.DialTLS(s.Addr(), &tls.Config{RootCAs: s.RootCAs(), ServerName: "localhost"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); ok {
		t.Error("server offers STARTTLS inside TLS")
	}
	if err := send(c); err != nil {
		t.Fatal(err)
	}
	if got := s.WaitMessages(1, 5*time.Second); len(got) != 1 || !got[0].TLS {
		t.Errorf("recorded %+v", got)
	}
}

func TestFailNext(t *testing.T) {
	s := smtptest.Start(t)
	c, err := smtp.Dial(s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s.FailNext(451, "try later")
	var se *smtp.SMTPError
	if err := send(c); !errors.As(err, &se) || se.Code != 451 || se.Message != "try later" {
		t.Fatalf("got %v, want 451 try later", err)
	}
	if err := c.Reset(); err != nil {
		t.Fatal(err)
	}
	if err := send(c); err != nil {
		t.Fatalf("FailNext lasted beyond one message: %v", err)
	}
	if got := s.Messages(); len(got) != 1 {
		t.Errorf("recorded %d messages, want only the one accepted", len(got))
	}
}

func TestStopRestart(t *testing.T) {
	s := smtptest.Start(t)
	c, err := smtp.Dial(s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Noop(); err != nil {
		t.Fatal(err)
	}
	s.Stop()
	if err := c.Noop(); err == nil {
		t.Error("connection survived Stop")
	}
	if _, err := smtp.Dial(s.Addr()); err == nil {
		t.Error("Dial succeeded while stopped")
	}
	s.Restart()
	c2, err := smtp.Dial(s.Addr())
	if err != nil {
		t.Fatalf("Dial after Restart: %v", err)
	}
	defer c2.Close()
	if err := send(c2); err != nil {
		t.Fatal(err)
	}
	if s.Connections() != 2 {
		t.Errorf("Connections = %d, want 2", s.Connections())
	}
}

// Stop right after Start must close the listener even though the server
// goroutine may not have begun serving yet.
func TestStopAtOnce(t *testing.T) {
	for range 20 {
		s := smtptest.Start(t)
		s.Stop()
		if c, err := smtp.Dial(s.Addr()); err == nil {
			c.Close()
			t.Fatal("Dial succeeded after Stop")
		}
	}
}
