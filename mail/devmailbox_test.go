package mail_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/mail"
	"github.com/otpd/otpd/passcode"
	"github.com/otpd/otpd/sqlite"
)

func email(i int, to string) otpd.Email {
	return otpd.Email{MessageID: fmt.Sprintf("<%d@localhost>", i), To: otpd.MustParseAddress(to), Subject: "Your sign-in code",
		Text: fmt.Sprintf("Your code: %09d", i)}
}

func ids(msgs []otpd.Email) []string {
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = m.MessageID
	}
	return out
}

func messages(t *testing.T, box *mail.DevMailbox, to string) []otpd.Email {
	t.Helper()
	msgs, err := box.Messages(t.Context(), to, 0)
	if err != nil {
		t.Fatalf("Messages(%q): %v", to, err)
	}
	return msgs
}

// mailboxes runs a test against a DevMailbox kept in memory and one kept,
// sealed, in a store: both behave alike.
func mailboxes(t *testing.T, size int, test func(t *testing.T, box *mail.DevMailbox)) {
	t.Run("Memory", func(t *testing.T) { test(t, &mail.DevMailbox{Size: size}) })
	t.Run("Store", func(t *testing.T) { test(t, storedMailbox(t, openDevStore(t), size)) })
}

func openDevStore(t *testing.T) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "otpd.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// storedMailbox is the dev mailbox of one node sharing st, sealing under
// the secret all nodes share.
func storedMailbox(t *testing.T, st otpd.DevMailStore, size int) *mail.DevMailbox {
	t.Helper()
	book, err := passcode.New(bytes.Repeat([]byte{7}, 32), 9)
	if err != nil {
		t.Fatal(err)
	}
	return &mail.DevMailbox{Size: size, Store: st, Seal: book.Seal, Open: book.Open}
}

func TestDevMailboxFiltersByAddressNewestFirst(t *testing.T) {
	mailboxes(t, 0, func(t *testing.T, box *mail.DevMailbox) {
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
			if got := fmt.Sprint(ids(messages(t, box, tc.to))); got != tc.want {
				t.Errorf("Messages(%q) = %s, want %s", tc.to, got, tc.want)
			}
		}
		if m := messages(t, box, "bob@example.com")[0]; m.To.String() != "bob@example.com" || m.Text != "Your code: 000000001" {
			t.Errorf("kept message %+v, want it as sent", m)
		}
	})
}

func TestDevMailboxKeepsTheNewest(t *testing.T) {
	mailboxes(t, 3, func(t *testing.T, box *mail.DevMailbox) {
		for i := range 7 {
			if err := box.Send(t.Context(), email(i, "ada@example.com")); err != nil {
				t.Fatal(err)
			}
			got := messages(t, box, "")
			if len(got) != min(i+1, 3) || got[0].MessageID != fmt.Sprintf("<%d@localhost>", i) {
				t.Fatalf("after %d sends: %v", i+1, ids(got))
			}
		}
		if got, want := fmt.Sprint(ids(messages(t, box, ""))), "[<6@localhost> <5@localhost> <4@localhost>]"; got != want {
			t.Errorf("kept %s, want %s", got, want)
		}
	})
}

// A limit returns the newest messages only; none or one too large, all.
func TestDevMailboxLimit(t *testing.T) {
	mailboxes(t, 5, func(t *testing.T, box *mail.DevMailbox) {
		for i := range 4 {
			if err := box.Send(t.Context(), email(i, "ada@example.com")); err != nil {
				t.Fatal(err)
			}
		}
		for _, tc := range []struct {
			limit int
			want  string
		}{
			{1, "[<3@localhost>]"},
			{2, "[<3@localhost> <2@localhost>]"},
			{0, "[<3@localhost> <2@localhost> <1@localhost> <0@localhost>]"},
			{99, "[<3@localhost> <2@localhost> <1@localhost> <0@localhost>]"},
		} {
			msgs, err := box.Messages(t.Context(), "ada@example.com", tc.limit)
			if got := fmt.Sprint(ids(msgs)); err != nil || got != tc.want {
				t.Errorf("Messages(limit %d) = %s, %v; want %s", tc.limit, got, err, tc.want)
			}
		}
	})
}

func TestDevMailboxDefaultSize(t *testing.T) {
	var box mail.DevMailbox
	for i := range mail.DefaultDevMailboxSize + 10 {
		if err := box.Send(t.Context(), email(i, "ada@example.com")); err != nil {
			t.Fatal(err)
		}
	}
	got := messages(t, &box, "ada@example.com")
	if len(got) != mail.DefaultDevMailboxSize {
		t.Fatalf("kept %d, want %d", len(got), mail.DefaultDevMailboxSize)
	}
	if got[len(got)-1].MessageID != "<10@localhost>" {
		t.Errorf("kept %d, oldest %s; want %d, oldest <10@localhost>", len(got), got[len(got)-1].MessageID, mail.DefaultDevMailboxSize)
	}
}

func TestDevMailboxRefusesDoneContext(t *testing.T) {
	var box mail.DevMailbox
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := box.Send(ctx, email(0, "ada@example.com")); err == nil || len(messages(t, &box, "")) != 0 {
		t.Error("Send kept a message after its context ended")
	}
}

func TestDevMailboxConcurrentUse(t *testing.T) {
	mailboxes(t, 50, func(t *testing.T, box *mail.DevMailbox) {
		var wg sync.WaitGroup
		for g := range 8 {
			wg.Go(func() {
				for i := range 20 {
					if err := box.Send(t.Context(), email(g*1000+i, fmt.Sprintf("user%d@example.com", g))); err != nil {
						t.Error(err)
					}
					if _, err := box.Messages(t.Context(), fmt.Sprintf("user%d@example.com", (g+1)%8), 0); err != nil {
						t.Error(err)
					}
				}
			})
		}
		wg.Wait()
		if n := len(messages(t, box, "")); n != 50 {
			t.Errorf("kept %d messages, want 50", n)
		}
	})
}

// The dev mailbox stands in for SMTP behind the worker.
var _ otpd.Mailer = (*mail.DevMailbox)(nil)

func TestDevMailboxKeepsRenderedForm(t *testing.T) {
	mailboxes(t, 0, func(t *testing.T, d *mail.DevMailbox) {
		d.Render = func(e otpd.Email) ([]byte, error) {
			if strings.Contains(e.Subject, "\n") {
				return nil, errors.New("header injection")
			}
			return []byte("Subject: " + e.Subject + "\r\n\r\n" + e.Text), nil
		}
		m := otpd.Email{MessageID: "<a@otpd.test>", To: otpd.MustParseAddress("ada@example.com"), Subject: "Hi", Text: "body"}
		if err := d.Send(t.Context(), m); err != nil {
			t.Fatal(err)
		}
		raw, err := d.Raw(t.Context(), "<a@otpd.test>")
		if err != nil || string(raw) != "Subject: Hi\r\n\r\nbody" {
			t.Errorf("Raw = %q, %v", raw, err)
		}
		if _, err := d.Raw(t.Context(), "<other@otpd.test>"); !errors.Is(err, otpd.ErrNotFound) {
			t.Errorf("Raw of a message never sent: %v, want ErrNotFound", err)
		}
		bad := m
		bad.MessageID, bad.Subject = "<b@otpd.test>", "Hi\nBcc: x@evil.example"
		var perm *otpd.PermanentError
		if err := d.Send(t.Context(), bad); !errors.As(err, &perm) {
			t.Errorf("unrenderable message: %v, want *otpd.PermanentError", err)
		}
		if n := len(messages(t, d, "")); n != 1 {
			t.Errorf("%d messages kept, want only the rendered one", n)
		}
	})
}

// Nodes sharing a store share the mailbox: a message one node sent shows
// on the other. The store sees only sealed bytes, never the code.
func TestDevMailboxSharedThroughTheStore(t *testing.T) {
	st := openDevStore(t)
	a, b := storedMailbox(t, st, 0), storedMailbox(t, st, 0)
	a.Render = func(e otpd.Email) ([]byte, error) { return []byte(e.Text), nil }
	sent := email(424242, "ada@example.com")
	if err := a.Send(t.Context(), sent); err != nil {
		t.Fatal(err)
	}
	got := messages(t, b, "ada@example.com")
	if len(got) != 1 || got[0].Text != sent.Text {
		t.Fatalf("node B's mailbox: %+v, want node A's message", got)
	}
	if raw, err := b.Raw(t.Context(), sent.MessageID); err != nil || string(raw) != sent.Text {
		t.Errorf("node B's raw message: %q, %v", raw, err)
	}
	kept, err := st.DevMessages(t.Context(), otpd.Address{}, 0)
	if err != nil || len(kept) != 1 {
		t.Fatalf("stored: %v, %v", kept, err)
	}
	if bytes.Contains(kept[0].Sealed, []byte("000424242")) || bytes.Contains(kept[0].Sealed, []byte("Your code")) {
		t.Error("the store holds the message in clear")
	}

	// A message sealed under another secret cannot be read, and is left
	// out rather than breaking the page.
	other, err := passcode.New(bytes.Repeat([]byte{8}, 32), 9)
	if err != nil {
		t.Fatal(err)
	}
	c := &mail.DevMailbox{Store: st, Seal: other.Seal, Open: other.Open}
	if err := c.Send(t.Context(), email(1, "ada@example.com")); err != nil {
		t.Fatal(err)
	}
	if got := messages(t, b, "ada@example.com"); len(got) != 1 || got[0].MessageID != sent.MessageID {
		t.Errorf("with a message under another secret: %v, want only the readable one", ids(got))
	}
	unsealed := &mail.DevMailbox{Store: st}
	if err := unsealed.Send(t.Context(), email(2, "ada@example.com")); err == nil {
		t.Error("a store-backed mailbox without Seal kept a message, in clear")
	}
}
