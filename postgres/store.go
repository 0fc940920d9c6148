// Package postgres is the Store for more than one node: PostgreSQL through
// database/sql on github.com/jackc/pgx/v5/stdlib. The queries are
// internal/sqlstore's, shared with the sqlite package; this package holds
// PostgreSQL's Open, migrations (run by internal/sqlschema) and Dialect.
//
// PostgreSQL runs transactions at READ COMMITTED, so no read-then-write is
// safe on its own: every security state change locks what it reads.
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
	"database/sql"
	"errors"
	"fmt"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/internal/sqlschema"
	"github.com/otpd/otpd/internal/sqlstore"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

// Advisory lock classes: the first key of pg_advisory_xact_lock(int, int),
// so that otpd's locks name what they serialise and do not collide with
// one another.
const (
	lockMigrate = 0x6f747000 // per schema: migrations
	lockAddress = 0x6f747001 // per address Key: requests, verifies, denials, password attempts
	lockMailbox = 0x6f747002 // per schema: the dev mailbox's trim
	lockPrune   = 0x6f747003 // per schema: retention, one node at a time
	lockKeys    = 0x6f747004 // per schema: the OpenID Connect signing keys
)

// DefaultMaxConns bounds the connections one Store opens until
// SetMaxConns says otherwise. Unbounded, a burst of requests opens a
// connection each, and a few nodes together exhaust the server's
// max_connections (100 by default), failing requests; bounded, the burst
// waits its turn for a connection. Requests for one address wait on its
// lock anyway, so more connections would not serve them sooner.
const DefaultMaxConns = 10

// Store is an otpd.Store in a PostgreSQL database. It is safe for
// concurrent use, also by many processes on many nodes sharing the
// database: row locks and advisory locks, taken inside each transaction,
// order every security state change.
type Store struct {
	*sqlstore.Store
	db *sql.DB
	// schema is the migrations over db, for the health checks
	// (health.go).
	schema *sqlschema.Schema
}

// dialect is what PostgreSQL does differently: at READ COMMITTED a
// transaction locks what it reads, with row locks (FOR UPDATE) and with
// advisory locks for what no one row stands for.
var dialect = sqlstore.Dialect{
	Name:         "postgres",
	Greatest:     "GREATEST",
	NoLimit:      sql.NullInt64{}, // NULL
	RowLocks:     true,
	LockAddress:  lockAddressKey,
	LockMailbox:  schemaLock(lockMailbox),
	TryLockPrune: tryLockPrune,
	LockKeys:     schemaLock(lockKeys),
}

// schemaDialect is PostgreSQL's schema_migrations, in the current schema.
var schemaDialect = sqlschema.Dialect{
	TableExists: `SELECT to_regclass('schema_migrations') IS NOT NULL`,
	CreateTable: `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		applied_at BIGINT NOT NULL
	)`,
	// Each migration's transaction first takes an advisory lock for the
	// current schema, so several nodes migrating at once apply each
	// migration once, and none reads a half-made schema.
	LockSchema: schemaLock(lockMigrate),
}

var _ otpd.Store = (*Store)(nil)

// Open connects to the database named by dsn (a postgres:// URL or
// key=value string, as pgx reads it), in the schema the connection's
// search_path names first, creating the tables when the schema has none.
// It refuses a database whose schema differs from this build's: a newer
// one with *sqlschema.SchemaVersionError, an older one with
// *sqlschema.SchemaOutdatedError (Migrate upgrades it).
func Open(ctx context.Context, dsn string) (*Store, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	s, err := sqlschema.NewSchema(db, schemaDialect, migrationFiles)
	if err == nil {
		err = s.Ready(ctx)
	}
	if err != nil {
		return nil, errors.Join(fmt.Errorf("postgres: open: %w", err), db.Close())
	}
	st := &Store{Store: sqlstore.New(db, dialect), db: db, schema: s}
	st.SetMaxConns(DefaultMaxConns)
	return st, nil
}

// SetMaxConns bounds the connections the Store opens to n, and keeps as
// many open between bursts: opening a PostgreSQL connection starts a
// server process, which costs more than most queries. Requests beyond n
// wait for a connection.
func (s *Store) SetMaxConns(n int) {
	s.db.SetMaxOpenConns(n)
	s.db.SetMaxIdleConns(n)
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

// schemaLock returns a hook that takes the advisory lock of class for the
// current schema, until the transaction ends.
func schemaLock(class int) func(ctx context.Context, tx *sql.Tx) error {
	return func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1, hashtext(current_schema()))`, class)
		return err
	}
}

// tryLockPrune takes the schema's prune lock unless another node holds
// it. The lock is transaction-scoped, so it ends with the transaction,
// also through a pooler.
func tryLockPrune(ctx context.Context, tx *sql.Tx) (bool, error) {
	var locked bool
	err := tx.QueryRowContext(ctx, `SELECT pg_try_advisory_xact_lock($1, hashtext(current_schema()))`, lockPrune).Scan(&locked)
	return locked, err
}
