package sqlite

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/otpd/otpd/internal/sqlschema"
)

// Migrations are numbered files, NNNN_name.sql, with the same numbers as
// postgres's, applied in order, each in its own transaction. A file, once
// released, never changes: a change to the schema is a new file.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrate applies the pending migrations to the database at path,
// creating it if needed, and returns those it applied. It refuses, with a
// *sqlschema.SchemaVersionError, a database written by a newer otpd.
func Migrate(ctx context.Context, path string) ([]sqlschema.Migration, error) {
	db, err := openDB(path)
	if err != nil {
		return nil, err
	}
	s, err := walSchema(ctx, db)
	var applied []sqlschema.Migration
	if err == nil {
		applied, err = s.Up(ctx)
	}
	if err = errors.Join(err, db.Close()); err != nil {
		return applied, fmt.Errorf("sqlite: migrate %s: %w", path, err)
	}
	return applied, nil
}

// MigrationStatus reports which migrations the database at path has and
// which it lacks. It changes nothing, and creates no file: a missing file
// is a database with none applied.
func MigrationStatus(ctx context.Context, path string) (sqlschema.Status, error) {
	db, err := openDB(path)
	if err != nil {
		return sqlschema.Status{}, err
	}
	defer db.Close()
	s, err := sqlschema.NewSchema(db, schemaDialect, migrationFiles)
	if err != nil {
		return sqlschema.Status{}, fmt.Errorf("sqlite: migration status of %s: %w", path, err)
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return sqlschema.Status{Known: s.Known}, nil
	}
	st, err := s.Status(ctx)
	if err != nil {
		return sqlschema.Status{}, fmt.Errorf("sqlite: migration status of %s: %w", path, err)
	}
	return st, nil
}
