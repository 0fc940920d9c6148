package smtp_test

import (
	"strings"
	"testing"

	"github.com/otpd/otpd/smtp"
)

func TestParseURL(t *testing.T) {
	tests := []struct {
		url  string
		want smtp.Endpoint
	}{
		{"smtp://mail.example.com", smtp.Endpoint{Host: "mail.example.com", Port: "587"}},
		{"smtps://mail.example.com", smtp.Endpoint{ImplicitTLS: true, Host: "mail.example.com", Port: "465"}},
		{"SMTP://u%40x:p%3Ass@mail.example.com:2525/", smtp.Endpoint{Host: "mail.example.com", Port: "2525", Username: "u@x", Password: "p:ss"}},
		{"smtp://[::1]:25", smtp.Endpoint{Host: "::1", Port: "25"}},
	}
	for _, tt := range tests {
		got, err := smtp.ParseURL(tt.url)
		if err != nil || got != tt.want {
			t.Errorf("ParseURL(%q) = %+v, %v; want %+v", tt.url, got, err, tt.want)
		}
	}
}

func TestNewRefuses(t *testing.T) {
	tests := []struct {
		name string
		cfg  smtp.Config
		want string
	}{
		{"unknown scheme", smtp.Config{URL: "http://mail.example.com"}, `unknown URL scheme "http"`},
		{"no scheme", smtp.Config{URL: "mail.example.com:587"}, "scheme"},
		{"missing host", smtp.Config{URL: "smtp://:587"}, "no host"},
		{"bad port", smtp.Config{URL: "smtp://mail.example.com:99999"}, `bad port "99999"`},
		{"empty port", smtp.Config{URL: "smtp://mail.example.com:"}, "empty port"},
		{"path", smtp.Config{URL: "smtp://mail.example.com/x"}, "path"},
		{"password without user", smtp.Config{URL: "smtp://:secret@mail.example.com"}, "no user"},
		{"none to a remote relay", smtp.Config{URL: "smtp://mail.example.com", TLS: "none"}, "only for a loopback relay"},
		{"none with smtps", smtp.Config{URL: "smtps://127.0.0.1", TLS: "none"}, "contradicts"},
		{"unknown tls", smtp.Config{URL: "smtp://mail.example.com", TLS: "maybe"}, `unknown tls "maybe"`},
		{"password over unverified TLS", smtp.Config{URL: "smtp://u:p@mail.example.com", TLS: "opportunistic"}, "need tls"},
		{"negative timeout", smtp.Config{URL: "smtp://mail.example.com", Timeout: -1}, "negative"},
		{"HELO with a line break", smtp.Config{URL: "smtp://mail.example.com", HELO: "a\r\nRSET"}, "HELO"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := smtp.New(tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("New: got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

// A URL that does not parse must not end up in a log with its password.
func TestParseURLErrorHidesPassword(t *testing.T) {
	_, err := smtp.New(smtp.Config{URL: "smtp://user:hunter2%zz@mail.example.com"})
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("got %v", err)
	}
}

func TestNewAcceptsLoopbackWithoutTLS(t *testing.T) {
	for _, host := range []string{"127.0.0.1", "127.0.0.53", "[::1]", "localhost"} {
		m, err := smtp.New(smtp.Config{URL: "smtp://u:p@" + host + ":25", TLS: "none"})
		if err != nil {
			t.Errorf("%s: %v", host, err)
			continue
		}
		if err := m.Close(); err != nil {
			t.Error(err)
		}
	}
}
