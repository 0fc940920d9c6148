package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/otpd/otpd"
)

// Store is the otpd.Store of a SQL database, for the sqlite and postgres
// packages to embed. It is safe for concurrent use, also by several
// processes or nodes sharing the database, as far as the database's
// transactions and the Dialect's locks order every security state change:
// each store's Open sets its transactions up (SQLite's begin immediate,
// PostgreSQL's run at READ COMMITTED and lock what they read).
type Store struct {
	db *db // reads
	w  *db // writes: transactions, and statements that change rows
	d  Dialect
	// writer holds one token where the Dialect has OneWriter; a writer
	// takes it for the length of its transaction. Waiting on a channel
	// is in order and wakes at once, where the busy handler's sleeps
	// left the lock idle and a late writer could overtake, which showed
	// as a tail of 100 ms and more under load. Other processes sharing
	// the file still meet the busy handler.
	writer chan struct{}
	// observer hears how long operations took (observe.go).
	observer atomic.Pointer[func(op string, took time.Duration)]
	// hooks are the webhooks' subscriptions, set once before use (see
	// SetWebhooks); nil queues none.
	hooks otpd.WebhookSubscriptions
}

// New returns the Store of db, an open database with this build's schema.
func New(db *sql.DB, d Dialect) *Store {
	return NewSplit(db, db, d)
}

// NewSplit returns the Store of one database opened twice: read for
// queries and write for everything that writes. A database with one
// writer at a time is fastest written through one connection: its page
// cache stays valid from one transaction to the next, where a connection
// after another's write must drop its cache and read every page again.
func NewSplit(read, write *sql.DB, d Dialect) *Store {
	s := &Store{db: &db{DB: read, prepare: d.Prepare}, d: d}
	s.w = s.db
	if write != read {
		s.w = &db{DB: write, prepare: d.Prepare}
	}
	if d.OneWriter {
		s.writer = make(chan struct{}, 1)
	}
	return s
}

// Close closes the database.
func (s *Store) Close() error {
	if s.w == s.db {
		return s.db.Close()
	}
	return errors.Join(s.w.Close(), s.db.Close())
}

// inTx runs fn in one transaction and commits it when fn returns nil.
func (s *Store) inTx(ctx context.Context, fn func(tx *txn) error) error {
	done, err := s.write(ctx)
	if err != nil {
		return err
	}
	defer done()
	sqlTx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	tx := &txn{Tx: sqlTx, db: s.w, hooks: s.hooks}
	defer func() {
		// A panic must not leave the transaction open: it would hold
		// the writer's only connection, and every write would wait.
		if p := recover(); p != nil {
			tx.Rollback()
			panic(p)
		}
		tx.prepareMissed(ctx)
	}()
	if err := fn(tx); err != nil {
		return errors.Join(err, ignoreDone(tx.Rollback()))
	}
	return tx.Commit()
}

// write waits for this process's turn to write, where the Dialect has
// OneWriter, and returns the function that ends it.
func (s *Store) write(ctx context.Context) (done func(), err error) {
	if s.writer == nil {
		return func() {}, nil
	}
	select {
	case s.writer <- struct{}{}:
		return func() { <-s.writer }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// exec runs one writing statement outside a transaction, in turn with
// the transactions.
func (s *Store) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	done, err := s.write(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	return s.w.ExecContext(ctx, query, args...)
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
func (s *Store) lockAddress(ctx context.Context, tx *txn, key string) error {
	if s.d.LockAddress == nil {
		return nil
	}
	return s.d.LockAddress(ctx, tx.Tx, key)
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

// ignoreDone drops sql.ErrTxDone, what Rollback returns for a
// transaction its context ended (and database/sql rolled back).
func ignoreDone(err error) error {
	if errors.Is(err, sql.ErrTxDone) {
		return nil
	}
	return err
}
