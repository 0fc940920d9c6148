package main

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/sqlite"
)

// The server prunes when it starts, and says what it pruned: here a code
// request older than the configured age of events, and its challenge.
func TestServerPrunes(t *testing.T) {
	dir := t.TempDir()
	st, err := sqlite.Open(t.Context(), filepath.Join(dir, "otpd.db"))
	if err != nil {
		t.Fatal(err)
	}
	at := time.Now().Add(-40 * 24 * time.Hour)
	addr := otpd.MustParseAddress("old@example.com")
	err = st.RequestCode(t.Context(), otpd.CodeRequest{
		Challenge: otpd.Challenge{ID: "c1", FlowID: "f1", Purpose: otpd.PurposeSignUp, Email: addr,
			CodeMAC: []byte("mac"), CreatedAt: at, ExpiresAt: at.Add(10 * time.Minute), MaxAttempts: 5},
		Message: otpd.OutboxMessage{ID: "m1", ChallengeID: "c1", MessageID: "<c1@otpd.test>", Kind: otpd.MessageCode,
			To: addr, Payload: []byte("sealed"), CreatedAt: at, NotAfter: at.Add(10 * time.Minute), NextAttempt: at},
		Event: otpd.Event{ID: "e1", At: at, Email: addr, FlowID: "f1"},
	})
	if err == nil {
		err = st.FinishMessage(t.Context(), "m1", otpd.MessageUndeliverable, at.Add(11*time.Minute), "expired")
	}
	if err := errors.Join(err, st.Close()); err != nil {
		t.Fatal(err)
	}

	s := startServer(t, map[string]string{"OTPD_RETENTION_EVENTS": "720h"}, "--data", dir)
	const want = `msg="retention: pruned" events=1 challenges=1 messages=1 sessions=0 guards=0`
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(s.logs.String(), want); {
		if time.Now().After(deadline) {
			t.Fatalf("the server did not say it pruned (%s):\n%s", want, s.logs)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
