package postgres

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"time"

	"github.com/otpd/otpd/internal/sqlstore"
)

// Migrations are numbered files, NNNN_name.sql, with the same numbers as
// sqlite's, applied in order, each in its own transaction (PostgreSQL's DDL
// is transactional, so a failed migration leaves nothing half done). A
// file, once released, never changes: a change to the schema is a new
// file.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// SchemaVersionError is returned by Open for a database whose schema is
// newer than this build knows.
type SchemaVersionError = sqlstore.SchemaVersionError

// migrate brings the schema up to the newest known version. Each step
// takes a transaction-scoped advisory lock for the current schema before
// it reads the version, so several nodes starting at once apply each
// migration once, and none reads a half-made schema.
func migrate(ctx context.Context, db *sql.DB) error {
	ms, err := sqlstore.LoadMigrations(migrationFiles, "migrations/*.sql")
	if err != nil {
		return err
	}
	for _, m := range ms {
		if err := apply(ctx, db, m, len(ms)); err != nil {
			return err
		}
	}
	return nil
}

func apply(ctx context.Context, db *sql.DB, m sqlstore.Migration, known int) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migration %s: %w", m.Name, err)
	}
	defer tx.Rollback() // a no-op after Commit
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1, hashtext(current_schema()))`, lockMigrate); err != nil {
		return fmt.Errorf("migration %s: lock: %w", m.Name, err)
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		applied_at BIGINT NOT NULL
	)`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	var current int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	// Checked on every step, the last one included, so that a database
	// with nothing pending is checked too.
	if current > known {
		return &SchemaVersionError{Database: current, Known: known}
	}
	if current >= m.Version {
		return nil
	}
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return fmt.Errorf("migration %s: %w", m.Name, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)`,
		m.Version, time.Now().UnixMilli()); err != nil {
		return fmt.Errorf("migration %s: record version: %w", m.Name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migration %s: commit: %w", m.Name, err)
	}
	return nil
}
