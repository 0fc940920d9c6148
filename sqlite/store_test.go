package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/internal/sqlschema"
	"github.com/otpd/otpd/sqlite"
	"github.com/otpd/otpd/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) otpd.Store {
		return open(t, filepath.Join(t.TempDir(), "otpd.db"))
	})
}

func open(t *testing.T, path string) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(t.Context(), path)
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

// Opening a database again applies nothing and keeps its data.
func TestReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "otpd.db")
	s, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	s = open(t, path)
	_, err = s.AccountByID(t.Context(), "x")
	if !errors.Is(err, otpd.ErrNotFound) {
		t.Errorf("AccountByID on a reopened database: %v, want ErrNotFound", err)
	}
}

// Processes starting at once on a new file create it once, and all of
// them open it: none sees it half made.
func TestConcurrentOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "otpd.db")
	storetest.ConcurrentOpen(t, opener(path))
}

// A database migrated by a newer otpd is refused: this build does not know
// what the newer schema means.
func TestRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "otpd.db")
	s, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	bumpVersion(t.Context(), t, path)

	s, err = sqlite.Open(t.Context(), path)
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
func bumpVersion(ctx context.Context, t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx,
		`INSERT INTO schema_migrations (version, applied_at) SELECT MAX(version) + 1, 0 FROM schema_migrations`); err != nil {
		t.Fatal(err)
	}
}

// A database an older otpd made is refused, not upgraded behind the
// operator's back; Migrate upgrades it and keeps its data. Asking for the
// status of a missing file does not create it.
func TestOlderSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "otpd.db")
	storetest.OlderSchema(t, storetest.Schema{
		Status:  func(ctx context.Context) (sqlschema.Status, error) { return sqlite.MigrationStatus(ctx, path) },
		Migrate: func(ctx context.Context) ([]sqlschema.Migration, error) { return sqlite.Migrate(ctx, path) },
		Open:    opener(path),
		AtVersion1: func(t *testing.T) {
			if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("MigrationStatus created the file: %v", err)
			}
			applyFirstMigration(t, path)
		},
	})
}

// applyFirstMigration makes the database an otpd that knew only
// migration 1 would have made, with an account in it.
func applyFirstMigration(t *testing.T, path string) {
	t.Helper()
	init, err := os.ReadFile("migrations/0001_init.sql")
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range append([]string{
		string(init),
		`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)`,
		`INSERT INTO schema_migrations (version, applied_at) VALUES (1, 0)`,
	}, storetest.Version1Rows...) {
		if _, err := db.ExecContext(t.Context(), q); err != nil {
			t.Fatal(err)
		}
	}
}

// opener opens the store for the storetest checks: no store, rather than
// a nil *Store in an interface, when Open fails.
func opener(path string) func(ctx context.Context) (otpd.Store, error) {
	return func(ctx context.Context) (otpd.Store, error) {
		s, err := sqlite.Open(ctx, path)
		if err != nil {
			return nil, err
		}
		return s, nil
	}
}

// Delete leaves nothing of the account in any column of any table of the
// file, tables added later included.
func TestDeleteErasesEveryTable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "otpd.db")
	s := open(t, path)
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	storetest.Erased(t, s, func(needles []string) []string {
		return findInTables(t, db, needles)
	})
}

// findInTables reads every row of every table and says which table and
// column hold one of needles.
func findInTables(t *testing.T, db *sql.DB, needles []string) []string {
	t.Helper()
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	rows.Close()
	var found []string
	for _, table := range tables {
		rows, err := db.Query(`SELECT * FROM "` + table + `"`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, v := range vals {
				var s string
				switch v := v.(type) {
				case string:
					s = v
				case []byte:
					s = string(v)
				}
				for _, n := range needles {
					if s != "" && strings.Contains(s, n) {
						found = append(found, table+"."+cols[i]+" ("+n+")")
					}
				}
			}
		}
		rows.Close()
	}
	return found
}
