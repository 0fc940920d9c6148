package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Store is the otpd.Store of a SQL database, for the sqlite and postgres
// packages to embed. It is safe for concurrent use, also by several
// processes or nodes sharing the database, as far as the database's
// transactions and the Dialect's locks order every security state change:
// each store's Open sets its transactions up (SQLite's begin immediate,
// PostgreSQL's run at READ COMMITTED and lock what they read).
type Store struct {
	db *sql.DB
	d  Dialect
}

// New returns the Store of db, an open database with this build's schema.
func New(db *sql.DB, d Dialect) *Store {
	return &Store{db: db, d: d}
}

// Close closes the database.
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

// errorf is fmt.Errorf with the store's name in front, so that a logged
// error says which store failed. It passes format on as it is, so that go
// vet checks every call's arguments against it.
func (s *Store) errorf(format string, args ...any) error {
	return fmt.Errorf("%s: %w", s.d.Name, fmt.Errorf(format, args...))
}

// lockAddress takes the address's lock, where the dialect has one. Where
// it has none (SQLite), the transaction holds the whole database from its
// start, which serves as the lock of every address at once.
func (s *Store) lockAddress(ctx context.Context, tx *sql.Tx, key string) error {
	if s.d.LockAddress == nil {
		return nil
	}
	return s.d.LockAddress(ctx, tx, key)
}

// rowLocked returns query followed by clause, a row-locking clause such
// as FOR UPDATE, where the dialect has row locks, and query alone where
// it has none.
func (s *Store) rowLocked(query, clause string) string {
	if !s.d.RowLocks {
		return query
	}
	return query + " " + clause
}

// limit is the LIMIT argument for at most n rows, or for all of them when
// n is zero or less.
func (s *Store) limit(n int) any {
	if n <= 0 {
		return s.d.NoLimit
	}
	return n
}
