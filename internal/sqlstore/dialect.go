package sqlstore

import (
	"context"
	"database/sql"
)

// Dialect is what one SQL store's database does differently; everything
// else, every query included, is written once in this package. Queries
// use PostgreSQL's numbered placeholders ($1, $2, ...), which
// modernc.org/sqlite binds by number too (sqlite's tests pin that), so no
// query is rewritten for a database. Where the SQL itself differs, the
// query keeps PostgreSQL's clause in full and the Dialect says whether it
// applies, or names the one word or argument that differs.
//
// The locks are transaction-scoped, held until the transaction ends. A
// nil lock is one the store need not take: its transactions serialise
// every writer already (SQLite's take the database's write lock at
// BEGIN).
type Dialect struct {
	// Name begins every error the store returns: "sqlite: ...".
	Name string
	// Greatest is the function of the larger of two values: SQLite's
	// scalar MAX, PostgreSQL's GREATEST.
	Greatest string
	// NoLimit is the LIMIT argument that means none: -1 for SQLite, NULL
	// for PostgreSQL.
	NoLimit any
	// RowLocks says that a transaction must lock the rows it reads before
	// deciding on them (FOR UPDATE), as at PostgreSQL's READ COMMITTED.
	// Without it, the clause is left out: SQLite has no row locks, and
	// needs none.
	RowLocks bool
	// OneWriter says that the database lets one writer in at a time and
	// makes the others poll for the lock (SQLite's busy handler sleeps 1,
	// 2, 5, 10 ms... between tries). The Store then queues this process's
	// writers itself, so that each goes as soon as the one before is done.
	OneWriter bool
	// Prepare says that the driver compiles every query anew unless it
	// is prepared (modernc.org/sqlite does; pgx keeps its own cache), so
	// the Store prepares each once per connection and keeps it.
	Prepare bool

	// LockAddress serialises the transactions about one address (its
	// Key): requests, verifies, denials, password attempts, undoing a
	// change of address.
	LockAddress func(ctx context.Context, tx *sql.Tx, key string) error
	// LockMailbox serialises the dev mailbox's writers, so that its trim
	// keeps its bound.
	LockMailbox func(ctx context.Context, tx *sql.Tx) error
	// TryLockPrune takes the prune's lock unless another transaction
	// holds it, and reports whether it did: of several nodes pruning at
	// once, one prunes and the others skip the round.
	TryLockPrune func(ctx context.Context, tx *sql.Tx) (bool, error)
	// LockKeys serialises the changes to the signing keys, so that of
	// several nodes starting at once one makes the first key, and one
	// rotates.
	LockKeys func(ctx context.Context, tx *sql.Tx) error
}
