// Package sqlschema is the migration runner of the SQL stores (sqlite,
// postgres): the numbered migrations a store embeds, the Go steps some of
// them run after their SQL, and the schema_migrations table that records
// which a database has. A store's Open makes a new database whole with
// Ready, or refuses one at another version; its Migrate upgrades an older
// one with Up. The queries that run on the schema are internal/sqlstore's.
package sqlschema

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"time"
)

// Dialect is what one database does differently in its schema's
// bookkeeping.
type Dialect struct {
	// TableExists returns one boolean: whether schema_migrations exists.
	TableExists string
	// CreateTable creates schema_migrations unless it exists.
	CreateTable string
	// LockSchema runs first in every migration transaction, so that
	// migrators on several nodes take turns. Nil where the database's
	// transactions take turns already (SQLite's begin immediate).
	LockSchema func(ctx context.Context, tx *sql.Tx) error
}

// Schema is one database's migrations: those this build knows, and those
// the database records in schema_migrations.
type Schema struct {
	DB      *sql.DB
	Dialect Dialect
	Known   []Migration
}

// NewSchema is db's Schema, with the migrations in fsys, a store's
// embedded migrations/NNNN_name.sql files.
func NewSchema(db *sql.DB, d Dialect, fsys fs.FS) (*Schema, error) {
	ms, err := loadMigrations(fsys, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	return &Schema{DB: db, Dialect: d, Known: ms}, nil
}

// Applied is a migration recorded in a database.
type Applied struct {
	Version int
	At      time.Time
}

// Status is where a database's schema stands against this build.
type Status struct {
	Known   []Migration // this build's migrations, oldest first
	Applied []Applied   // the database's, oldest first
}

// Version is the newest version applied, 0 for a new database.
func (s Status) Version() int {
	if len(s.Applied) == 0 {
		return 0
	}
	return s.Applied[len(s.Applied)-1].Version
}

// Pending returns this build's migrations the database lacks, in order.
func (s Status) Pending() []Migration {
	var out []Migration
	for _, m := range s.Known {
		if m.Version > s.Version() {
			out = append(out, m)
		}
	}
	return out
}

// Newer reports whether the database was migrated by a newer build.
func (s Status) Newer() bool { return s.Version() > len(s.Known) }

// Status reads the schema's state and changes nothing: a database with no
// schema_migrations has no migration applied.
func (s *Schema) Status(ctx context.Context) (Status, error) {
	st := Status{Known: s.Known}
	var exists bool
	if err := s.DB.QueryRowContext(ctx, s.Dialect.TableExists).Scan(&exists); err != nil {
		return Status{}, fmt.Errorf("read schema version: %w", err)
	}
	if !exists {
		return st, nil
	}
	rows, err := s.DB.QueryContext(ctx, `SELECT version, applied_at FROM schema_migrations ORDER BY version`)
	if err != nil {
		return Status{}, fmt.Errorf("read schema version: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var a Applied
		var at int64
		if err := rows.Scan(&a.Version, &at); err != nil {
			return Status{}, fmt.Errorf("read schema version: %w", err)
		}
		a.At = time.UnixMilli(at).UTC()
		st.Applied = append(st.Applied, a)
	}
	if err := rows.Err(); err != nil {
		return Status{}, fmt.Errorf("read schema version: %w", err)
	}
	return st, nil
}

// Ready prepares a database for a store's Open. A new database (no
// migration applied) is created at once, all its migrations in one
// transaction, so that a first start needs no step and a node opening it
// meanwhile sees it whole or not at all; one at this build's version is
// left as it is. A newer one is refused with *SchemaVersionError, an older
// one with *SchemaOutdatedError: see Up for upgrading it.
func (s *Schema) Ready(ctx context.Context) error {
	st, err := s.Status(ctx)
	if err != nil {
		return err
	}
	if st.Version() == 0 {
		// Another node may have created it since; read what is there.
		if err := s.create(ctx); err != nil {
			return err
		}
		if st, err = s.Status(ctx); err != nil {
			return err
		}
	}
	switch {
	case st.Newer():
		return &SchemaVersionError{Database: st.Version(), Known: len(s.Known)}
	case st.Version() < len(s.Known):
		e := &SchemaOutdatedError{Database: st.Version(), Known: len(s.Known)}
		for _, m := range st.Pending() {
			e.Pending = append(e.Pending, m.Name)
		}
		return e
	}
	return nil
}

// create applies every migration to a database that has none, in one
// transaction under the dialect's lock; it leaves a database that has
// some as it is.
func (s *Schema) create(ctx context.Context) error {
	_, err := s.inTx(ctx, "create schema", func(tx *sql.Tx) (bool, error) {
		current, err := s.lockedVersion(ctx, tx)
		if err != nil || current > 0 {
			return false, err
		}
		for _, m := range s.Known {
			if err := s.exec(ctx, tx, m); err != nil {
				return false, err
			}
		}
		return true, nil
	})
	return err
}

// Up applies the pending migrations in order, each in its own
// transaction, and returns those this call applied. Each step re-reads the
// version under the dialect's lock (or the store's own write lock), so
// migrators racing on several nodes apply each migration once. A database
// newer than this build is refused with *SchemaVersionError.
func (s *Schema) Up(ctx context.Context) ([]Migration, error) {
	var applied []Migration
	for _, m := range s.Known {
		done, err := s.apply(ctx, m)
		if err != nil {
			return applied, err
		}
		if done {
			applied = append(applied, m)
		}
	}
	// With nothing pending, the version has not been checked yet.
	st, err := s.Status(ctx)
	if err != nil {
		return applied, err
	}
	if st.Newer() {
		return applied, &SchemaVersionError{Database: st.Version(), Known: len(s.Known)}
	}
	return applied, nil
}

// apply applies m unless the database has it, and reports whether it did.
func (s *Schema) apply(ctx context.Context, m Migration) (bool, error) {
	return s.inTx(ctx, "migration "+m.Name, func(tx *sql.Tx) (bool, error) {
		return s.applyIn(ctx, tx, m)
	})
}

// inTx runs fn in a transaction, which it commits when fn reports that it
// changed something and rolls back otherwise; what names the step in
// the errors of beginning and committing.
func (s *Schema) inTx(ctx context.Context, what string, fn func(tx *sql.Tx) (bool, error)) (bool, error) {
	tx, err := s.DB.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("%s: %w", what, err)
	}
	changed, err := fn(tx)
	if err != nil || !changed {
		// A transaction its context ended is rolled back already.
		if rerr := tx.Rollback(); !errors.Is(rerr, sql.ErrTxDone) {
			err = errors.Join(err, rerr)
		}
		return false, err
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("%s: commit: %w", what, err)
	}
	return true, nil
}

func (s *Schema) applyIn(ctx context.Context, tx *sql.Tx, m Migration) (bool, error) {
	current, err := s.lockedVersion(ctx, tx)
	if err != nil {
		return false, fmt.Errorf("migration %s: %w", m.Name, err)
	}
	if current > len(s.Known) {
		return false, &SchemaVersionError{Database: current, Known: len(s.Known)}
	}
	if current >= m.Version {
		return false, nil
	}
	return true, s.exec(ctx, tx, m)
}

// lockedVersion takes the dialect's lock, makes sure schema_migrations
// exists, and reads the version under the lock.
func (s *Schema) lockedVersion(ctx context.Context, tx *sql.Tx) (int, error) {
	if s.Dialect.LockSchema != nil {
		if err := s.Dialect.LockSchema(ctx, tx); err != nil {
			return 0, fmt.Errorf("lock: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, s.Dialect.CreateTable); err != nil {
		return 0, fmt.Errorf("create schema_migrations: %w", err)
	}
	var current int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return current, nil
}

// exec applies m in tx and records it.
func (s *Schema) exec(ctx context.Context, tx *sql.Tx, m Migration) error {
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return fmt.Errorf("migration %s: %w", m.Name, err)
	}
	if m.Then != nil {
		if err := m.Then(ctx, tx); err != nil {
			return fmt.Errorf("migration %s: %w", m.Name, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)`,
		m.Version, time.Now().UnixMilli()); err != nil {
		return fmt.Errorf("migration %s: record version: %w", m.Name, err)
	}
	return nil
}
