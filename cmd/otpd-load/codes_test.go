package main

import (
	"errors"
	"testing"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/dkim"
	"github.com/otpd/otpd/mail"
)

func TestExtractCode(t *testing.T) {
	for text, want := range map[string]string{
		"Use this code:\n\n123 456 789\n\nType it":    "123456789",
		"code:\r\n\r\n   123 456\r\n":                 "123456",
		"123 4567\n":                                  "1234567",
		"123 456 7890\n":                              "1234567890",
		"IP: 192 0 2 1\nTime: 09:26\n\n987 654 321\n": "987654321",
	} {
		if got, ok := extractCode(text); !ok || got != want {
			t.Errorf("extractCode(%q) = %q, %v; want %q", text, got, ok, want)
		}
	}
	for _, text := range []string{"", "no code here", "12 34\n", "123 456 789 123\n", "code: 123 456 789\n"} {
		if got, ok := extractCode(text); ok {
			t.Errorf("extractCode(%q) = %q, want none", text, got)
		}
	}
}

// The sink reads the code from a message as otpd composes, renders and
// signs it: a change to the templates that hid the code would show here
// before a benchmark ran.
func TestMessageCodeOfARealMessage(t *testing.T) {
	at := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	c := &mail.Composer{From: "Bench <bench@example.com>", PublicURL: "http://127.0.0.1:8080", Product: "otpd"}
	e, err := c.Compose(otpd.OutboxMessage{ID: "m1", MessageID: "<c1@example.com>", Kind: otpd.MessageCode,
		To: otpd.MustParseAddress("user1@load.test"), CreatedAt: at},
		otpd.MessageData{Code: "012345678", Purpose: otpd.PurposeSignIn, RequestedAt: at, ExpiresAt: at.Add(10 * time.Minute),
			IP: "127.0.0.1", UserAgent: "Go-http-client/1.1", DenyToken: "c1.tag"})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := mail.Render(e)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := messageCode(raw); !errors.Is(err, errUnsigned) {
		t.Errorf("unsigned message: %v, want errUnsigned", err)
	}
	key, err := dkim.GenerateRSA()
	if err != nil {
		t.Fatal(err)
	}
	signed, err := (&dkim.Signer{Domain: "example.com", Selector: "otpd", RSA: key}).Sign(raw)
	if err != nil {
		t.Fatal(err)
	}
	if code, err := messageCode(signed); err != nil || code != "012345678" {
		t.Errorf("messageCode = %q, %v; want 012345678", code, err)
	}
}
