package postgres_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"testing"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/internal/sqlschema"
	"github.com/otpd/otpd/internal/sqlstore"
	"github.com/otpd/otpd/postgres"
	"github.com/otpd/otpd/postgres/pgtest"
	"github.com/otpd/otpd/storetest"
)

func open(t testing.TB, dsn string) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(t.Context(), dsn)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func TestConformance(t *testing.T) {
	pgtest.ServerDSN(t)
	storetest.Run(t, func(t *testing.T) otpd.Store {
		_, dsn := pgtest.Schema(t)
		return open(t, dsn)
	})
}

// The metrics read the outbox's depth and hear each operation's duration.
func TestObserved(t *testing.T) {
	pgtest.ServerDSN(t)
	_, dsn := pgtest.Schema(t)
	storetest.Observed(t, open(t, dsn), sqlstore.Ops())
}

// Several nodes starting at once on a new database apply each migration
// once, and all of them open it.
func TestConcurrentOpen(t *testing.T) {
	_, dsn := pgtest.Schema(t)
	storetest.ConcurrentOpen(t, opener(dsn))
}

// A database migrated by a newer otpd is refused: this build does not know
// what the newer schema means.
func TestRefusesNewerSchema(t *testing.T) {
	name, dsn := pgtest.Schema(t)
	s, err := postgres.Open(t.Context(), dsn)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	bumpVersion(t, name)

	s, err = postgres.Open(t.Context(), dsn)
	var ve *sqlschema.SchemaVersionError
	if !errors.As(err, &ve) {
		if s != nil {
			s.Close()
		}
		t.Fatalf("Open of a newer schema: %v, want *sqlschema.SchemaVersionError", err)
	}
	if ve.Database != ve.Known+1 {
		t.Errorf("SchemaVersionError %+v, want Database = Known+1", ve)
	}
}

// bumpVersion records a migration this build does not have, as a newer
// otpd would.
func bumpVersion(t *testing.T, schema string) {
	t.Helper()
	db, err := sql.Open("pgx", pgtest.ServerDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(t.Context(), `INSERT INTO `+schema+`.schema_migrations (version, applied_at)
		SELECT MAX(version) + 1, 0 FROM `+schema+`.schema_migrations`); err != nil {
		t.Fatal(err)
	}
}

// A schema an older otpd made is refused, not upgraded behind the
// operator's back; Migrate upgrades it and keeps its data.
func TestOlderSchema(t *testing.T) {
	name, dsn := pgtest.Schema(t)
	storetest.OlderSchema(t, storetest.Schema{
		Status:     func(ctx context.Context) (sqlschema.Status, error) { return postgres.MigrationStatus(ctx, dsn) },
		Migrate:    func(ctx context.Context) ([]sqlschema.Migration, error) { return postgres.Migrate(ctx, dsn) },
		Open:       opener(dsn),
		AtVersion1: func(t *testing.T) { applyFirstMigration(t, name) },
	})
}

// applyFirstMigration makes the schema an otpd that knew only migration 1
// would have made, with an account in it.
func applyFirstMigration(t *testing.T, schema string) {
	t.Helper()
	init, err := os.ReadFile("migrations/0001_init.sql")
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("pgx", pgtest.ServerDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tx, err := db.BeginTx(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	for _, q := range append([]string{
		`SET LOCAL search_path TO ` + schema,
		string(init),
		`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)`,
		`INSERT INTO schema_migrations (version, applied_at) VALUES (1, 0)`,
	}, storetest.Version1Rows...) {
		if _, err := tx.ExecContext(t.Context(), q); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

// opener opens the store for the storetest checks: no store, rather than
// a nil *Store in an interface, when Open fails.
func opener(dsn string) func(ctx context.Context) (otpd.Store, error) {
	return func(ctx context.Context) (otpd.Store, error) {
		s, err := postgres.Open(ctx, dsn)
		if err != nil {
			return nil, err
		}
		return s, nil
	}
}
