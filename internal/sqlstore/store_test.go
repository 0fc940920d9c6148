package sqlstore

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	_ "modernc.org/sqlite"
)

// oneWriter is a Store the way the sqlite package opens one: writes through
// one connection, in turn, with prepared statements.
func oneWriter(t *testing.T) *Store {
	t.Helper()
	path := filepath.Join(t.TempDir(), "t.db") + "?_pragma=journal_mode(WAL)&_txlock=immediate"
	open := func() *sql.DB {
		db, err := sql.Open("sqlite", path)
		if err != nil {
			t.Fatal(err)
		}
		return db
	}
	w, r := open(), open()
	w.SetMaxOpenConns(1)
	s := NewSplit(r, w, Dialect{Name: "test", OneWriter: true, Prepare: true})
	t.Cleanup(func() { s.Close() })
	if _, err := s.exec(t.Context(), `CREATE TABLE t (n INTEGER)`); err != nil {
		t.Fatal(err)
	}
	return s
}

const insert = `INSERT INTO t (n) VALUES ($1)`

// A query first run inside a transaction is prepared once it has ended,
// and the next transaction uses the prepared statement.
func TestTransactionPreparesWhatItMissed(t *testing.T) {
	s := oneWriter(t)
	var missed [2][]string
	for i := range 2 {
		err := s.inTx(t.Context(), func(tx *txn) error {
			_, err := tx.ExecContext(t.Context(), insert, i)
			missed[i] = tx.missed
			return err
		})
		if err != nil {
			t.Fatalf("transaction %d: %v", i, err)
		}
	}
	if len(missed[0]) != 1 || len(missed[1]) != 0 {
		t.Errorf("queries run unprepared: %q in the first transaction, %q in the second; want the insert, then none", missed[0], missed[1])
	}
	if _, ok := s.w.stmts.Load(insert); !ok {
		t.Error("the insert is not kept prepared")
	}
	var n int
	if err := s.db.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM t`).Scan(&n); err != nil || n != 2 {
		t.Fatalf("rows = %d, %v; want 2", n, err)
	}
}

// A panic inside a transaction rolls it back and gives the writer's one
// connection back: later writes go on instead of waiting forever.
func TestPanicInTransactionFreesTheWriter(t *testing.T) {
	s := oneWriter(t)
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("the panic did not reach the caller")
			}
		}()
		s.inTx(t.Context(), func(tx *txn) error {
			if _, err := tx.ExecContext(t.Context(), insert, 1); err != nil {
				return err
			}
			panic("boom")
		})
	}()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	if _, err := s.exec(ctx, insert, 2); err != nil {
		t.Fatalf("a write after the panic: %v", err)
	}
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM t`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("rows = %d, %v; want 1 (the panicking transaction's row rolled back)", n, err)
	}
}
