// Package sqlite is the embedded Store: one SQLite file in WAL mode, through
// database/sql on modernc.org/sqlite (pure Go, so otpd builds without cgo).
package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/otpd/otpd"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// dsnOptions make every transaction BEGIN IMMEDIATE: a deferred transaction
// that reads and then writes cannot wait out another writer and fails with
// "database is locked" at once, busy_timeout or not. Taking the write lock
// up front also serialises every check-then-update, which is what
// invariants 2 and 3 rest on.
const dsnOptions = "_pragma=journal_mode(WAL)" +
	"&_pragma=busy_timeout(5000)" +
	"&_pragma=synchronous(NORMAL)" +
	"&_pragma=foreign_keys(1)" +
	"&_txlock=immediate"

// Store is an otpd.Store in one SQLite file. It is safe for concurrent use,
// also by several processes sharing the file: SQLite's write lock, taken at
// the start of each transaction, orders every security state change.
type Store struct {
	db *sql.DB
}

var _ otpd.Store = (*Store)(nil)

// Open opens (creating if needed) the database at path and applies pending
// migrations. It refuses, with a *SchemaVersionError, a database written by
// a newer otpd. Use a real file: ":memory:" would give every pooled
// connection its own empty database.
func Open(ctx context.Context, path string) (*Store, error) {
	if path == "" || strings.ContainsRune(path, '?') {
		return nil, fmt.Errorf("sqlite: open %q: path must be a file name without '?'", path)
	}
	db, err := sql.Open("sqlite", path+"?"+dsnOptions)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	if err := migrate(ctx, db); err != nil {
		return nil, errors.Join(fmt.Errorf("sqlite: open %s: %w", path, err), db.Close())
	}
	return &Store{db: db}, nil
}

// Close closes the database.
func (s *Store) Close() error {
	return s.db.Close()
}

// inTx runs fn in one immediate transaction and commits it when fn returns
// nil.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		return errors.Join(err, ignoreDone(tx.Rollback()))
	}
	return tx.Commit()
}

func ignoreDone(err error) error {
	if errors.Is(err, sql.ErrTxDone) {
		return nil
	}
	return err
}

// queryer is what a lookup needs, so it runs alike on the pool and inside a
// transaction.
type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface {
	Scan(dest ...any) error
}

// ms and fromMS convert between time.Time and the stored unix
// milliseconds. Stored times lose sub-millisecond precision.
func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

// nullMS keeps a zero time as NULL: "not yet" (ended_at, finished_at).
func nullMS(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: ms(t), Valid: true}
}

func fromNullMS(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return fromMS(v.Int64)
}

// nullString keeps an empty reference (an event or challenge without an
// account) as NULL, which the foreign key requires.
func nullString(s string) sql.NullString {
	return sql.NullString{String: s, Valid: s != ""}
}

// parseAddress rebuilds a stored address; "" is the zero Address (an event
// recorded without one).
func parseAddress(s string) (otpd.Address, error) {
	if s == "" {
		return otpd.Address{}, nil
	}
	a, err := otpd.ParseAddress(s)
	if err != nil {
		return otpd.Address{}, fmt.Errorf("stored address %q: %w", s, err)
	}
	return a, nil
}

// newID names the events the store records itself: 128 random bits
// (rand.Text), which cannot collide with the caller's IDs in practice.
func newID() string { return rand.Text() }

// notFound wraps otpd.ErrNotFound for sql.ErrNoRows, and leaves any other
// error as it is.
func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return otpd.ErrNotFound
	}
	return err
}

// affected turns an UPDATE that matched no row into otpd.ErrNotFound.
func affected(res sql.Result) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return otpd.ErrNotFound
	}
	return nil
}
