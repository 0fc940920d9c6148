package postgres

import (
	"database/sql"
	"testing"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/postgres/pgtest"
)

// While one node prunes (holds the prune lock), another skips the round
// at once and deletes nothing; the round after, it prunes.
func TestPruneSkipsWhileAnotherNodePrunes(t *testing.T) {
	name, dsn := pgtest.Schema(t)
	s, err := Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	addr := otpd.MustParseAddress("ada@example.com")
	if err := s.RequestCode(t.Context(), otpd.CodeRequest{
		Challenge: otpd.Challenge{ID: "c1", FlowID: "f1", Purpose: otpd.PurposeSignUp, Email: addr,
			CodeMAC: []byte("mac"), CreatedAt: at, ExpiresAt: at.Add(10 * time.Minute), MaxAttempts: 5},
		Message: otpd.OutboxMessage{ID: "m1", ChallengeID: "c1", MessageID: "<c1@otpd.test>", Kind: otpd.MessageCode,
			To: addr, Payload: []byte("sealed"), CreatedAt: at, NotAfter: at.Add(10 * time.Minute), NextAttempt: at},
		Event: otpd.Event{ID: "e1", At: at, Email: addr, FlowID: "f1"},
	}); err != nil {
		t.Fatal(err)
	}

	other, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	tx, err := other.BeginTx(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(t.Context(), `SELECT pg_advisory_xact_lock($1, hashtext($2))`, lockPrune, name); err != nil {
		t.Fatal(err)
	}
	req := otpd.PruneRequest{Now: at.Add(30 * 24 * time.Hour), Events: time.Hour}
	res, err := s.Prune(t.Context(), req)
	if err != nil || !res.Skipped || res.Events != 0 {
		t.Errorf("Prune while another node prunes: %+v, %v; want skipped", res, err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	res, err = s.Prune(t.Context(), req)
	if err != nil || res.Skipped || res.Events != 1 {
		t.Errorf("Prune once the other node is done: %+v, %v; want the event deleted", res, err)
	}
}
