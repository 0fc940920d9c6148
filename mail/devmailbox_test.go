package mail_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/mail"
)

func email(i int, to string) otpd.Email {
	return otpd.Email{MessageID: fmt.Sprintf("<%d@localhost>", i), To: otpd.MustParseAddress(to), Subject: "Your sign-in code"}
}

func ids(msgs []otpd.Email) []string {
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = m.MessageID
	}
	return out
}

func TestDevMailboxFiltersByAddressNewestFirst(t *testing.T) {
	var box mail.DevMailbox
	for i, to := range []string{"Ada@Example.com", "bob@example.com", "ada@example.COM", "ADA@example.com"} {
		if err := box.Send(t.Context(), email(i, to)); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		to   string
		want string
	}{
		{"", "[<3@localhost> <2@localhost> <1@localhost> <0@localhost>]"},
		{"aDa@EXAMPLE.com", "[<3@localhost> <2@localhost> <0@localhost>]"},
		{" bob@example.com ", "[<1@localhost>]"},
		{"carol@example.com", "[]"},
		{"not an address", "[]"},
	} {
		if got := fmt.Sprint(ids(box.Messages(tc.to))); got != tc.want {
			t.Errorf("Messages(%q) = %s, want %s", tc.to, got, tc.want)
		}
	}
}

func TestDevMailboxKeepsTheNewest(t *testing.T) {
	box := mail.DevMailbox{Size: 3}
	for i := range 7 {
		if err := box.Send(t.Context(), email(i, "ada@example.com")); err != nil {
			t.Fatal(err)
		}
		got := box.Messages("")
		if len(got) != min(i+1, 3) || got[0].MessageID != fmt.Sprintf("<%d@localhost>", i) {
			t.Fatalf("after %d sends: %v", i+1, ids(got))
		}
	}
	if got, want := fmt.Sprint(ids(box.Messages(""))), "[<6@localhost> <5@localhost> <4@localhost>]"; got != want {
		t.Errorf("kept %s, want %s", got, want)
	}
}

func TestDevMailboxDefaultSize(t *testing.T) {
	var box mail.DevMailbox
	for i := range mail.DefaultDevMailboxSize + 10 {
		if err := box.Send(t.Context(), email(i, "ada@example.com")); err != nil {
			t.Fatal(err)
		}
	}
	got := box.Messages("ada@example.com")
	if len(got) != mail.DefaultDevMailboxSize || got[len(got)-1].MessageID != "<10@localhost>" {
		t.Errorf("kept %d, oldest %s; want %d, oldest <10@localhost>", len(got), got[len(got)-1].MessageID, mail.DefaultDevMailboxSize)
	}
}

func TestDevMailboxRefusesDoneContext(t *testing.T) {
	var box mail.DevMailbox
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := box.Send(ctx, email(0, "ada@example.com")); err == nil || len(box.Messages("")) != 0 {
		t.Error("Send kept a message after its context ended")
	}
}

func TestDevMailboxConcurrentUse(t *testing.T) {
	box := mail.DevMailbox{Size: 50}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 100 {
				if err := box.Send(t.Context(), email(g*1000+i, fmt.Sprintf("user%d@example.com", g))); err != nil {
					t.Error(err)
				}
				box.Messages(fmt.Sprintf("user%d@example.com", (g+1)%8))
			}
		})
	}
	wg.Wait()
	if n := len(box.Messages("")); n != 50 {
		t.Errorf("kept %d messages, want 50", n)
	}
}

// The dev mailbox stands in for SMTP behind the worker.
var _ otpd.Mailer = (*mail.DevMailbox)(nil)

func TestDevMailboxKeepsRenderedForm(t *testing.T) {
	d := &mail.DevMailbox{Render: func(e otpd.Email) ([]byte, error) {
		if strings.Contains(e.Subject, "\n") {
			return nil, errors.New("header injection")
		}
		return []byte("Subject: " + e.Subject + "\r\n\r\n" + e.Text), nil
	}}
	m := otpd.Email{MessageID: "<a@otpd.test>", To: otpd.MustParseAddress("ada@example.com"), Subject: "Hi", Text: "body"}
	if err := d.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	raw, ok := d.Raw("<a@otpd.test>")
	if !ok || string(raw) != "Subject: Hi\r\n\r\nbody" {
		t.Errorf("Raw = %q, %v", raw, ok)
	}
	if _, ok := d.Raw("<other@otpd.test>"); ok {
		t.Error("Raw found a message never sent")
	}
	bad := m
	bad.MessageID, bad.Subject = "<b@otpd.test>", "Hi\nBcc: x@evil.example"
	var perm *otpd.PermanentError
	if err := d.Send(context.Background(), bad); !errors.As(err, &perm) {
		t.Errorf("unrenderable message: %v, want *otpd.PermanentError", err)
	}
	if n := len(d.Messages("")); n != 1 {
		t.Errorf("%d messages kept, want only the rendered one", n)
	}
}
