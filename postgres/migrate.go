package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"

	"github.com/otpd/otpd/internal/sqlschema"
)

// Migrations are numbered files, NNNN_name.sql, with the same numbers as
// sqlite's, applied in order, each in its own transaction (PostgreSQL's DDL
// is transactional, so a failed migration leaves nothing half done). A
// file, once released, never changes: a change to the schema is a new
// file.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrate applies the pending migrations to the database named by dsn, in
// the schema its search_path names first, and returns those it applied.
// It refuses, with a *sqlschema.SchemaVersionError, a database migrated by
// a newer otpd.
func Migrate(ctx context.Context, dsn string) ([]sqlschema.Migration, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: migrate: %w", err)
	}
	s, err := sqlschema.NewSchema(db, schemaDialect, migrationFiles)
	var applied []sqlschema.Migration
	if err == nil {
		applied, err = s.Up(ctx)
	}
	if err = errors.Join(err, db.Close()); err != nil {
		return applied, fmt.Errorf("postgres: migrate: %w", err)
	}
	return applied, nil
}

// MigrationStatus reports which migrations the database named by dsn has
// and which it lacks. It changes nothing.
func MigrationStatus(ctx context.Context, dsn string) (sqlschema.Status, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return sqlschema.Status{}, fmt.Errorf("postgres: migration status: %w", err)
	}
	defer db.Close()
	s, err := sqlschema.NewSchema(db, schemaDialect, migrationFiles)
	if err != nil {
		return sqlschema.Status{}, fmt.Errorf("postgres: migration status: %w", err)
	}
	st, err := s.Status(ctx)
	if err != nil {
		return sqlschema.Status{}, fmt.Errorf("postgres: migration status: %w", err)
	}
	return st, nil
}
