package webtest

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/otpd/otpd"
)

// Messages delivers the outbox and returns how many messages to email the
// dev mailbox holds.
func (r *Rig) Messages(t *testing.T, email string) int {
	t.Helper()
	return len(r.mail(t, email))
}

// Mail delivers the outbox and returns the newest message to email,
// failing the test unless more than after have arrived: it is how a test
// takes a notice, which carries no code.
func (r *Rig) Mail(t *testing.T, email string, after int) otpd.Email {
	t.Helper()
	msgs := r.mail(t, email)
	if len(msgs) <= after {
		t.Fatalf("no message %d to %s arrived", after+1, email)
	}
	return msgs[0]
}

var codeLine = regexp.MustCompile(`(?m)^\s*(\d{3} \d{3} \d{3})\s*$`)

// CodeAfter is Mail's code: the code of the newest message to email,
// failing the test unless more than after messages have arrived.
func (r *Rig) CodeAfter(t *testing.T, email string, after int) string {
	t.Helper()
	m := r.Mail(t, email, after)
	c := codeLine.FindStringSubmatch(m.Text)
	if c == nil {
		t.Fatalf("no code in %q", m.Text)
	}
	return strings.ReplaceAll(c[1], " ", "")
}

// mail delivers the outbox and returns the messages to email, newest
// first.
func (r *Rig) mail(t *testing.T, email string) []otpd.Email {
	t.Helper()
	for {
		n, err := r.worker.RunOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	msgs, err := r.box.Messages(context.Background(), email, 0)
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}
