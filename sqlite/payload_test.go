package sqlite

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/otpd/otpd"
)

// The payload holds the sealed code; once delivery has ended it must be
// gone from the database, not merely unreachable through the Store.
// This reads the table directly, which the conformance suite cannot.
func TestFinishWipesPayload(t *testing.T) {
	t.Run("FinishMessage", func(t *testing.T) {
		testFinishWipesPayload(t, func(s *Store, at time.Time) error {
			return s.FinishMessage(t.Context(), "m1", otpd.MessageSent, at, "")
		})
	})
	t.Run("FinishSent", func(t *testing.T) {
		testFinishWipesPayload(t, func(s *Store, at time.Time) error {
			_, err := s.FinishSent(t.Context(), []string{"m1"}, at)
			return err
		})
	})
}

func testFinishWipesPayload(t *testing.T, finish func(s *Store, at time.Time) error) {
	path := filepath.Join(t.TempDir(), "otpd.db")
	s, err := Open(t.Context(), path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	addr := otpd.MustParseAddress("wes@example.com")
	ch := otpd.Challenge{ID: "c1", FlowID: "f1", Purpose: otpd.PurposeSignUp, Email: addr,
		CodeMAC: []byte("mac"), CreatedAt: at, ExpiresAt: at.Add(10 * time.Minute), MaxAttempts: 5}
	err = s.RequestCode(t.Context(), otpd.CodeRequest{
		Challenge: ch,
		Message: otpd.OutboxMessage{ID: "m1", ChallengeID: "c1", MessageID: "<c1@otpd.test>", Kind: otpd.MessageCode,
			To: addr, Payload: []byte("sealed code"), CreatedAt: at, NotAfter: ch.ExpiresAt, NextAttempt: at},
		Event: otpd.Event{ID: "e1", At: at, Email: addr, FlowID: "f1"},
	})
	if err != nil {
		t.Fatalf("RequestCode: %v", err)
	}
	if err := finish(s, at.Add(time.Second)); err != nil {
		t.Fatalf("finish: %v", err)
	}
	db, err := openDB(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var payload []byte
	var state string
	var finished int64
	if err := db.QueryRowContext(t.Context(), `SELECT payload, state, finished_at FROM outbox WHERE id = 'm1'`).
		Scan(&payload, &state, &finished); err != nil {
		t.Fatal(err)
	}
	if payload != nil || state != string(otpd.MessageSent) || finished != at.Add(time.Second).UnixMilli() {
		t.Errorf("finished row: payload %q, state %s, finished_at %d; want NULL, sent, %d",
			payload, state, finished, at.Add(time.Second).UnixMilli())
	}
}
