package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"time"

	"github.com/otpd/otpd/internal/sqlstore"
)

// Migrations are numbered files, NNNN_name.sql, applied in order, each in
// its own transaction. A file, once released, never changes: a change to
// the schema is a new file.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// SchemaVersionError is returned by Open for a database whose schema is
// newer than this build knows.
type SchemaVersionError = sqlstore.SchemaVersionError

// migrate brings the schema up to the newest known version. Each step
// re-reads the version inside its immediate transaction, so two processes
// opening one new file at once apply each migration once.
func migrate(ctx context.Context, db *sql.DB) error {
	ms, err := sqlstore.LoadMigrations(migrationFiles, "migrations/*.sql")
	if err != nil {
		return err
	}
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		applied_at INTEGER NOT NULL
	)`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	for _, m := range ms {
		if err := apply(ctx, db, m, len(ms)); err != nil {
			return err
		}
	}
	// A database with no pending migration still has to be checked.
	return checkVersion(ctx, db, len(ms))
}

func apply(ctx context.Context, db *sql.DB, m sqlstore.Migration, known int) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migration %s: %w", m.Name, err)
	}
	defer tx.Rollback() // a no-op after Commit
	current, err := schemaVersion(ctx, tx)
	if err != nil {
		return fmt.Errorf("migration %s: %w", m.Name, err)
	}
	if current > known {
		return &SchemaVersionError{Database: current, Known: known}
	}
	if current >= m.Version {
		return nil
	}
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return fmt.Errorf("migration %s: %w", m.Name, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`,
		m.Version, time.Now().UnixMilli()); err != nil {
		return fmt.Errorf("migration %s: record version: %w", m.Name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migration %s: commit: %w", m.Name, err)
	}
	return nil
}

func checkVersion(ctx context.Context, db *sql.DB, known int) error {
	current, err := schemaVersion(ctx, db)
	if err != nil {
		return err
	}
	if current > known {
		return &SchemaVersionError{Database: current, Known: known}
	}
	return nil
}

func schemaVersion(ctx context.Context, q sqlstore.Queryer) (int, error) {
	var v int
	if err := q.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return v, nil
}
