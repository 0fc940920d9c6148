package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"path/filepath"
	"testing"

	"github.com/otpd/otpd/sqlite"
)

// A backup taken while the store is open is a database of this build's
// schema that holds what was committed before it.
func TestBackup(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "otpd.db")
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// A row committed in the WAL, not yet checkpointed into the file.
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE probe (x INTEGER); INSERT INTO probe VALUES (42)`); err != nil {
		t.Fatal(err)
	}

	dest := filepath.Join(dir, "copy.db")
	if err := sqlite.Backup(ctx, path, dest); err != nil {
		t.Fatal(err)
	}
	if err := sqlite.Backup(ctx, path, dest); !errors.Is(err, fs.ErrExist) {
		t.Errorf("a second backup onto the first: %v, want fs.ErrExist", err)
	}
	if err := sqlite.Backup(ctx, filepath.Join(dir, "none.db"), filepath.Join(dir, "none-copy.db")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a backup of no database: %v, want fs.ErrNotExist", err)
	}

	c, err := sqlite.Open(ctx, dest)
	if err != nil {
		t.Fatalf("the copy does not open as a store: %v", err)
	}
	c.Close()
	cdb, err := sql.Open("sqlite", dest)
	if err != nil {
		t.Fatal(err)
	}
	defer cdb.Close()
	var x int
	if err := cdb.QueryRow(`SELECT x FROM probe`).Scan(&x); err != nil || x != 42 {
		t.Errorf("the copy's row: %d, %v; want 42", x, err)
	}
}
