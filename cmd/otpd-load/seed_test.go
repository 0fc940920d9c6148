package main

import (
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/sqlite"
)

// Seeding leaves a store otpd opens as its own, with the accounts
// otpd-load signs in and their events, newest first.
func TestSeed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "otpd.db")
	if err := run(t.Context(), []string{"seed", "--db", path, "--accounts", "30", "--events", "450"}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	s, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	acct, err := s.AccountByEmail(t.Context(), otpd.MustParseAddress(accountEmail(29)))
	if err != nil {
		t.Fatal(err)
	}
	evs, err := s.Events(t.Context(), acct.ID, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 15 {
		t.Fatalf("account 29 has %d events, want 450/30 = 15", len(evs))
	}
	for i := 1; i < len(evs); i++ {
		if evs[i].At.After(evs[i-1].At) {
			t.Errorf("events not newest first: %s after %s", evs[i].At, evs[i-1].At)
		}
	}
	if _, err := s.AccountByEmail(t.Context(), otpd.MustParseAddress(accountEmail(30))); err == nil {
		t.Error("a 31st account exists")
	}
	err = run(t.Context(), []string{"seed", "--db", path, "--accounts", "1", "--events", "0"}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "already has 30 accounts") {
		t.Errorf("seeding again: %v, want a refusal", err)
	}
}
