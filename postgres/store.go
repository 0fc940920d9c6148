// Package postgres is the Store for more than one node: PostgreSQL through
// database/sql on github.com/jackc/pgx/v5/stdlib, so that the code reads
// like the sqlite package, with its own SQL in its own files.
//
// PostgreSQL runs transactions at READ COMMITTED, so no read-then-write is
// safe on its own: every security state change here locks what it reads.
// Requests and verifies for one address are serialised by a
// transaction-scoped advisory lock on the address's Key; a challenge is
// read FOR UPDATE before it is decided; outbox claims skip rows another
// worker holds. Advisory locks are transaction-scoped only, so they also
// work through a connection pooler.
//
// Behind PgBouncer in transaction mode, pgx's prepared-statement cache
// breaks (a statement prepared on one server connection is missing on the
// next): add default_query_exec_mode=exec to the DSN, which makes pgx use
// QueryExecModeExec.
package postgres

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/otpd/otpd"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

// Advisory lock classes: the first key of pg_advisory_xact_lock(int, int),
// so that otpd's locks name what they serialise and do not collide with
// one another.
const (
	lockMigrate = 0x6f747000 // per schema: migrations
	lockAddress = 0x6f747001 // per address Key: requests, verifies
)

// Store is an otpd.Store in a PostgreSQL database. It is safe for
// concurrent use, also by many processes on many nodes sharing the
// database: row locks and advisory locks, taken inside each transaction,
// order every security state change.
type Store struct {
	db *sql.DB
}

var _ otpd.Store = (*Store)(nil)

// Open connects to the database named by dsn (a postgres:// URL or
// key=value string, as pgx reads it) and applies pending migrations, in
// the schema the connection's search_path names first. It refuses, with a
// *SchemaVersionError, a database migrated by a newer otpd.
func Open(ctx context.Context, dsn string) (*Store, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	if err := migrate(ctx, db); err != nil {
		return nil, errors.Join(fmt.Errorf("postgres: open: %w", err), db.Close())
	}
	return &Store{db: db}, nil
}

// Close closes the connection pool.
func (s *Store) Close() error {
	return s.db.Close()
}

// inTx runs fn in one transaction and commits it when fn returns nil.
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

// lockAddressKey serialises, until tx ends, every transaction that takes
// the same address's lock: concurrent requests cannot all pass a send cap,
// and concurrent wrong codes cannot all pass the address's budget. Two
// addresses whose hashes collide merely wait for each other.
func lockAddressKey(ctx context.Context, tx *sql.Tx, key string) error {
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1, hashtext($2))`, lockAddress, key); err != nil {
		return fmt.Errorf("lock address: %w", err)
	}
	return nil
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
