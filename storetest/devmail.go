package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/otpd/otpd"
)

var devMailTests = []test{
	{"NewestFirstByAddress", testDevMailOrder},
	{"KeepsTheNewest", testDevMailBound},
	{"ByMessageID", testDevMailByID},
	{"KeepsTheNewestConcurrently", testDevMailConcurrent},
}

func devMessage(id int, to string) otpd.DevMessage {
	return otpd.DevMessage{
		MessageID: fmt.Sprintf("<%d@otpd.test>", id), To: otpd.MustParseAddress(to),
		At: t0.Add(time.Duration(id) * time.Second), Sealed: []byte(fmt.Sprintf("sealed %d", id)),
	}
}

func keep(t *testing.T, s otpd.Store, m otpd.DevMessage, n int) {
	t.Helper()
	if err := s.KeepDevMessage(t.Context(), m, n); err != nil {
		t.Fatalf("KeepDevMessage(%s): %v", m.MessageID, err)
	}
}

func devMessageIDs(t *testing.T, s otpd.Store, to otpd.Address, limit int) string {
	t.Helper()
	msgs, err := s.DevMessages(t.Context(), to, limit)
	if err != nil {
		t.Fatalf("DevMessages: %v", err)
	}
	ids := make([]string, len(msgs))
	for i, m := range msgs {
		ids[i] = m.MessageID
	}
	return fmt.Sprint(ids)
}

// Messages come back newest first, as stored, and filtered by the
// address's Key, so case does not matter.
func testDevMailOrder(t *testing.T, s otpd.Store) {
	for i, to := range []string{"Ada@Example.com", "bob@example.com", "ada@example.COM"} {
		keep(t, s, devMessage(i, to), 10)
	}
	msgs, err := s.DevMessages(t.Context(), otpd.Address{}, 0)
	if err != nil {
		t.Fatalf("DevMessages: %v", err)
	}
	want := devMessage(2, "ada@example.COM")
	if len(msgs) != 3 || msgs[0].MessageID != want.MessageID || msgs[0].To != want.To ||
		!msgs[0].At.Equal(want.At) || string(msgs[0].Sealed) != string(want.Sealed) {
		t.Fatalf("DevMessages = %+v, want 3, the newest %+v", msgs, want)
	}
	for _, tc := range []struct {
		to    string
		limit int
		want  string
	}{
		{"ADA@example.com", 0, "[<2@otpd.test> <0@otpd.test>]"},
		{"ada@example.com", 1, "[<2@otpd.test>]"},
		{"bob@example.com", 0, "[<1@otpd.test>]"},
		{"carol@example.com", 0, "[]"},
	} {
		if got := devMessageIDs(t, s, otpd.MustParseAddress(tc.to), tc.limit); got != tc.want {
			t.Errorf("DevMessages(%s, %d) = %s, want %s", tc.to, tc.limit, got, tc.want)
		}
	}
}

// The mailbox never holds more than keep messages: each keep drops the
// oldest.
func testDevMailBound(t *testing.T, s otpd.Store) {
	for i := range 7 {
		keep(t, s, devMessage(i, "ada@example.com"), 3)
	}
	if got, want := devMessageIDs(t, s, otpd.Address{}, 0), "[<6@otpd.test> <5@otpd.test> <4@otpd.test>]"; got != want {
		t.Errorf("after 7 messages kept 3: %s, want %s", got, want)
	}
	_, err := s.DevMessage(t.Context(), "<3@otpd.test>")
	wantNotFound(t, err, "DevMessage of a dropped message")
	if err := s.KeepDevMessage(t.Context(), devMessage(8, "ada@example.com"), 0); err == nil {
		t.Error("KeepDevMessage with keep 0 succeeded, want an error")
	}
}

// A message delivered twice (at-least-once) is kept twice, as an inbox
// would; DevMessage returns the newest.
func testDevMailByID(t *testing.T, s otpd.Store) {
	first, again := devMessage(1, "ada@example.com"), devMessage(1, "ada@example.com")
	again.Sealed = []byte("sealed again")
	keep(t, s, first, 10)
	keep(t, s, again, 10)
	got, err := s.DevMessage(t.Context(), first.MessageID)
	if err != nil || string(got.Sealed) != "sealed again" {
		t.Errorf("DevMessage = %+v, %v; want the newest copy", got, err)
	}
	_, err = s.DevMessage(t.Context(), "<none@otpd.test>")
	wantNotFound(t, err, "DevMessage of an unknown Message-ID")
}

// Senders racing (on one node or several) keep the bound exactly.
func testDevMailConcurrent(t *testing.T, s otpd.Store) {
	const senders, bound = 24, 5
	var wg sync.WaitGroup
	for i := range senders {
		wg.Go(func() {
			if err := s.KeepDevMessage(t.Context(), devMessage(i, "ada@example.com"), bound); err != nil {
				t.Errorf("KeepDevMessage: %v", err)
			}
		})
	}
	wg.Wait()
	msgs, err := s.DevMessages(t.Context(), otpd.Address{}, 0)
	if err != nil || len(msgs) != bound {
		t.Errorf("after %d racing sends: %d messages kept, %v; want %d", senders, len(msgs), err, bound)
	}
}
