// Package sqlite is the embedded Store: one SQLite file in WAL mode, through
// database/sql on modernc.org/sqlite (pure Go, so otpd builds without cgo).
// The queries are internal/sqlstore's, shared with the postgres package;
// this package holds SQLite's Open, migrations (run by internal/sqlschema)
// and Dialect.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/internal/sqlschema"
	"github.com/otpd/otpd/internal/sqlstore"

	driver "modernc.org/sqlite" // registers the "sqlite" driver
	sqlite3 "modernc.org/sqlite/lib"
)

// dsnOptions make every transaction BEGIN IMMEDIATE: a deferred transaction
// that reads and then writes cannot wait out another writer and fails with
// "database is locked" at once, busy_timeout or not. Taking the write lock
// up front also serialises every check-then-update, which is what
// invariants 2 and 3 rest on. WAL mode is not among them: see setWAL.
const dsnOptions = "_pragma=busy_timeout(5000)" +
	"&_pragma=synchronous(NORMAL)" +
	"&_pragma=foreign_keys(1)" +
	"&_txlock=immediate"

// checkpointEvery is how often the Store moves the WAL's pages into the
// database file. SQLite's own checkpoint runs in the commit that fills
// the WAL past 1,000 pages, so one writer in turn, holding every other
// writer's turn, waited for the copy and its fsync. A checkpoint on a
// reader connection runs beside the writer instead (PASSIVE: it copies
// what no reader still needs, and never waits): on a 3 GB store at 200
// sign-ins/s, request p99 went from 28 to 18 ms.
const checkpointEvery = 100 * time.Millisecond

// readers bounds the pool of connections that read, and keeps them open:
// database/sql keeps two idle connections by default and closes the rest
// after use, and a new SQLite connection parses the schema again and
// starts with an empty page cache, which under load cost a tenth of the
// server's CPU. Each connection has its own page cache (2 MiB at most), so
// more readers than this cost memory without adding speed on a few cores.
const readers = 4

// walWait bounds how long setWAL retries, as busy_timeout bounds a wait
// for a lock.
const walWait = 5 * time.Second

// Store is an otpd.Store in one SQLite file. It is safe for concurrent use,
// also by several processes sharing the file: SQLite's write lock, taken at
// the start of each transaction, orders every security state change.
type Store struct {
	*sqlstore.Store
	stop     chan struct{}
	stopped  chan struct{}
	stopOnce sync.Once
	// checkpoints counts the checkpoint rounds run, so that a test can
	// wait for one instead of guessing how long it takes.
	checkpoints atomic.Int64
	// schema is the migrations over the readers, for the health check
	// (health.go).
	schema *sqlschema.Schema
}

// dialect is what SQLite does differently. It needs no lock of its own:
// every transaction here is immediate, so it holds the database's write
// lock from its start, and requests, verifies and migrations, in any
// number of processes sharing the file, take turns.
var dialect = sqlstore.Dialect{
	Name:      "sqlite",
	Greatest:  "MAX",
	NoLimit:   -1,
	OneWriter: true,
	Prepare:   true,
}

// schemaDialect is SQLite's schema_migrations; migrations need no lock of
// their own either.
var schemaDialect = sqlschema.Dialect{
	TableExists: `SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations')`,
	CreateTable: `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		applied_at INTEGER NOT NULL
	)`,
}

var _ otpd.Store = (*Store)(nil)

// Open opens the database at path, creating and migrating it when it is
// new. It refuses a database whose schema differs from this build's: a
// newer one with *sqlschema.SchemaVersionError, an older one with
// *sqlschema.SchemaOutdatedError (Migrate upgrades it). Use a real file:
// ":memory:" would give every pooled connection its own empty database.
func Open(ctx context.Context, path string) (*Store, error) {
	w, err := openDB(path, "wal_autocheckpoint(0)")
	if err != nil {
		return nil, err
	}
	s, err := walSchema(ctx, w)
	if err == nil {
		err = s.Ready(ctx)
	}
	if err != nil {
		return nil, errors.Join(fmt.Errorf("sqlite: open %s: %w", path, err), w.Close())
	}
	// Writers take turns on the file whatever the pool, so they share one
	// connection, whose page cache then stays valid between transactions.
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	r, err := openDB(path)
	if err != nil {
		return nil, errors.Join(err, w.Close())
	}
	r.SetMaxOpenConns(readers)
	r.SetMaxIdleConns(readers)
	st := &Store{Store: sqlstore.NewSplit(r, w, dialect), stop: make(chan struct{}), stopped: make(chan struct{}),
		schema: &sqlschema.Schema{DB: r, Dialect: schemaDialect, Known: s.Known}}
	go st.checkpoint(r)
	return st, nil
}

// checkpoint copies the WAL into the database every checkpointEvery
// until Close. A failed round is left to the next: the WAL only grows
// meanwhile, and SQLite checkpoints it when the last connection closes.
func (s *Store) checkpoint(r *sql.DB) {
	defer close(s.stopped)
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			r.Exec(`PRAGMA wal_checkpoint(PASSIVE)`)
			s.checkpoints.Add(1)
		}
	}
}

// Close stops the checkpoints and closes the database.
func (s *Store) Close() error {
	s.stopOnce.Do(func() { close(s.stop) })
	<-s.stopped
	return s.Store.Close()
}

// walSchema puts db's file in WAL mode and returns its Schema, for Open
// and Migrate, which may create the file.
func walSchema(ctx context.Context, db *sql.DB) (*sqlschema.Schema, error) {
	if err := setWAL(ctx, db); err != nil {
		return nil, err
	}
	return sqlschema.NewSchema(db, schemaDialect, migrationFiles)
}

// setWAL puts the database file in WAL mode, which the file keeps: later
// connections open in it by themselves. It is not a DSN pragma, run by
// every new connection, because SQLite does not wait for it. On a file not
// yet in WAL mode, PRAGMA journal_mode=WAL reads page 1 and then takes the
// write lock to mark the file; a connection that holds a read lock and
// asks for the write lock gets SQLITE_BUSY at once, without calling the
// busy handler (waiting could deadlock with a writer that waits for the
// read lock to go). So processes opening a new file together raced, and
// the losers failed whatever busy_timeout said. Here they retry, for as
// long as busy_timeout would wait. Once the file is in WAL mode the pragma
// only reads, and its locks wait as any other.
func setWAL(ctx context.Context, db *sql.DB) error {
	deadline := time.Now().Add(walWait)
	pause := time.Millisecond
	for {
		_, err := db.ExecContext(ctx, `PRAGMA journal_mode=WAL`)
		if err == nil {
			return nil
		}
		if !busy(err) || time.Now().After(deadline) {
			return fmt.Errorf("set WAL mode: %w", err)
		}
		select {
		case <-time.After(pause):
		case <-ctx.Done():
			return fmt.Errorf("set WAL mode: %w", errors.Join(err, ctx.Err()))
		}
		pause = min(2*pause, 50*time.Millisecond)
	}
}

// busy reports whether err is SQLite's SQLITE_BUSY, or one of its
// extended codes.
func busy(err error) bool {
	var se *driver.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_BUSY
}

// openDB opens the database at path with the store's settings and the
// given pragmas besides.
func openDB(path string, pragmas ...string) (*sql.DB, error) {
	if path == "" || strings.ContainsRune(path, '?') {
		return nil, fmt.Errorf("sqlite: open %q: path must be a file name without '?'", path)
	}
	dsn := path + "?" + dsnOptions
	for _, p := range pragmas {
		dsn += "&_pragma=" + p
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	return db, nil
}
