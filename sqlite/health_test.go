package sqlite_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/otpd/otpd/internal/sqlstore"
	"github.com/otpd/otpd/sqlite"
	"github.com/otpd/otpd/storetest"
)

// The readiness checks read the store: it answers, the oldest queued
// message is the one waiting longest, and the schema is this build's.
func TestHealthReads(t *testing.T) {
	s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "otpd.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Ping(t.Context()); err != nil {
		t.Errorf("Ping: %v", err)
	}
	if _, ok, err := s.OldestQueued(t.Context()); ok || err != nil {
		t.Errorf("OldestQueued of an empty outbox: %v, %v; want none", ok, err)
	}
	first := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	for _, at := range []time.Time{first.Add(time.Minute), first} {
		if err := s.RequestCode(t.Context(), storetest.BenchRequest(at)); err != nil {
			t.Fatal(err)
		}
	}
	if got, ok, err := s.OldestQueued(t.Context()); !ok || err != nil || !got.Equal(first) {
		t.Errorf("OldestQueued = %v, %v, %v; want %v", got, ok, err, first)
	}
	st, err := s.MigrationStatus(t.Context())
	if err != nil || len(st.Pending()) != 0 || st.Version() != len(st.Known) {
		t.Errorf("MigrationStatus = %+v, %v; want current", st, err)
	}
}

// The metrics read the outbox's depth and hear each operation's duration.
func TestObserved(t *testing.T) {
	s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "otpd.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	storetest.Observed(t, s, sqlstore.Ops())
}
