package storetest

import (
	"testing"
	"time"

	"github.com/otpd/otpd"
)

var outboxTests = []test{
	{"ClaimDue", testClaimDue},
	{"LeaseExpires", testClaimLease},
	{"Retry", testRetryMessage},
	{"Finish", testFinishMessage},
	{"FinishSent", testFinishSent},
}

// queue requests codes whose messages are due at the given offsets from t0,
// and returns the message IDs.
func queue(t *testing.T, s otpd.Store, due ...time.Duration) []string {
	t.Helper()
	ids := make([]string, len(due))
	for i, d := range due {
		req := codeRequest(newID("ruth")+"@example.com", "", t0.Add(d))
		mustRequest(t, s, req)
		ids[i] = req.Message.ID
	}
	return ids
}

func claim(t *testing.T, s otpd.Store, now time.Time, lease time.Duration, limit int) []otpd.OutboxMessage {
	t.Helper()
	msgs, err := s.ClaimMessages(t.Context(), now, lease, limit)
	if err != nil {
		t.Fatalf("ClaimMessages at %s: %v", now.Sub(t0), err)
	}
	return msgs
}

func wantClaimed(t *testing.T, got []otpd.OutboxMessage, attempts int, ids ...string) {
	t.Helper()
	if len(got) != len(ids) {
		t.Fatalf("claimed %d messages, want %d (%v)", len(got), len(ids), ids)
	}
	for i, m := range got {
		if m.ID != ids[i] || m.Attempts != attempts || m.State != otpd.MessageQueued || len(m.Payload) == 0 {
			t.Errorf("claimed[%d] = %s (attempt %d, %s, %d payload bytes), want %s (attempt %d, queued, with payload)",
				i, m.ID, m.Attempts, m.State, len(m.Payload), ids[i], attempts)
		}
	}
}

func testClaimDue(t *testing.T, s otpd.Store) {
	ids := queue(t, s, 0, time.Minute, 10*time.Minute)
	wantClaimed(t, claim(t, s, t0.Add(time.Minute), time.Minute, 1), 1, ids[0])
	wantClaimed(t, claim(t, s, t0.Add(time.Minute), time.Minute, 10), 1, ids[1])
	wantClaimed(t, claim(t, s, t0.Add(time.Minute), time.Minute, 10), 1)
}

// A claimed message is hidden for the lease, then handed out again: its
// worker may have died mid-send.
func testClaimLease(t *testing.T, s otpd.Store) {
	ids := queue(t, s, 0, 0)
	lease := 30 * time.Second
	wantClaimed(t, claim(t, s, t0, lease, 10), 1, ids...)
	wantClaimed(t, claim(t, s, t0.Add(lease-time.Millisecond), lease, 10), 1)
	wantClaimed(t, claim(t, s, t0.Add(lease), lease, 10), 2, ids...)
}

func testRetryMessage(t *testing.T, s otpd.Store) {
	ids := queue(t, s, 0)
	wantClaimed(t, claim(t, s, t0, time.Minute, 10), 1, ids...)
	if err := s.RetryMessage(t.Context(), ids[0], t0.Add(5*time.Minute), "421 try again later"); err != nil {
		t.Fatalf("RetryMessage: %v", err)
	}
	wantClaimed(t, claim(t, s, t0.Add(5*time.Minute-time.Millisecond), time.Minute, 10), 1)
	got := claim(t, s, t0.Add(5*time.Minute), time.Minute, 10)
	wantClaimed(t, got, 2, ids...)
	if got[0].LastError != "421 try again later" {
		t.Errorf("last error %q, want the retry's", got[0].LastError)
	}
	wantNotFound(t, s.RetryMessage(t.Context(), "no-such-message", t0, ""), "RetryMessage of an unknown message")
}

// A finished message is never handed out again, whatever its state.
func testFinishMessage(t *testing.T, s otpd.Store) {
	states := []otpd.MessageState{otpd.MessageSent, otpd.MessageFailed, otpd.MessageUndeliverable}
	ids := queue(t, s, 0, 0, 0)
	wantClaimed(t, claim(t, s, t0, time.Minute, 10), 1, ids...)
	for i, id := range ids {
		if err := s.FinishMessage(t.Context(), id, states[i], t0.Add(time.Second), "note"); err != nil {
			t.Fatalf("FinishMessage(%s): %v", states[i], err)
		}
	}
	wantClaimed(t, claim(t, s, t0.Add(365*24*time.Hour), time.Minute, 10), 1)
	wantNotFound(t, s.FinishMessage(t.Context(), ids[0], otpd.MessageSent, t0.Add(time.Hour), ""), "FinishMessage twice")
	wantNotFound(t, s.RetryMessage(t.Context(), ids[0], t0.Add(time.Hour), ""), "RetryMessage of a finished message")
}

// A round's sent messages end together; one whose delivery had already
// ended keeps its state and is not counted.
func testFinishSent(t *testing.T, s otpd.Store) {
	ids := queue(t, s, 0, 0, 0)
	wantClaimed(t, claim(t, s, t0, time.Minute, 10), 1, ids...)
	if err := s.FinishMessage(t.Context(), ids[0], otpd.MessageFailed, t0.Add(time.Second), "refused"); err != nil {
		t.Fatalf("FinishMessage: %v", err)
	}
	n, err := s.FinishSent(t.Context(), ids, t0.Add(time.Second))
	if err != nil || n != 2 {
		t.Fatalf("FinishSent of 3, one failed already = %d, %v; want 2", n, err)
	}
	wantClaimed(t, claim(t, s, t0.Add(365*24*time.Hour), time.Minute, 10), 1)
	for _, id := range ids {
		wantNotFound(t, s.FinishMessage(t.Context(), id, otpd.MessageSent, t0.Add(time.Hour), ""), "FinishMessage after FinishSent")
	}
	if n, err := s.FinishSent(t.Context(), ids, t0.Add(time.Hour)); err != nil || n != 0 {
		t.Errorf("FinishSent again = %d, %v; want 0", n, err)
	}
	if n, err := s.FinishSent(t.Context(), nil, t0); err != nil || n != 0 {
		t.Errorf("FinishSent of none = %d, %v; want 0", n, err)
	}
}
