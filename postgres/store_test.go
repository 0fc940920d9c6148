package postgres_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/postgres"
	"github.com/otpd/otpd/storetest"
)

// serverDSN names the server the tests run against, from
// OTPD_TEST_POSTGRES, e.g.
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable. Without it the
// tests skip, unless OTPD_REQUIRE_SERVICES=1 says a skip would hide a gap.
func serverDSN(t *testing.T) string {
	t.Helper()
	dsn := os.Getenv("OTPD_TEST_POSTGRES")
	if dsn == "" {
		if os.Getenv("OTPD_REQUIRE_SERVICES") == "1" {
			t.Fatal("OTPD_TEST_POSTGRES is not set, and OTPD_REQUIRE_SERVICES=1 requires a PostgreSQL server")
		}
		t.Skip("OTPD_TEST_POSTGRES is not set; skipping the PostgreSQL store tests")
	}
	return dsn
}

// freshSchema creates an empty schema of its own for t, dropped when t
// ends, and returns its name and a DSN whose search_path names it.
func freshSchema(t *testing.T) (name, dsn string) {
	t.Helper()
	base := serverDSN(t)
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		t.Fatalf("OTPD_TEST_POSTGRES must be a postgres:// URL, got %q", base)
	}
	name = "otpd_test_" + strings.ToLower(rand.Text())
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.ExecContext(t.Context(), `CREATE SCHEMA `+name); err != nil {
		admin.Close()
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		defer admin.Close()
		// t.Context is done by now.
		if _, err := admin.ExecContext(context.Background(), `DROP SCHEMA `+name+` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", name, err)
		}
	})
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	return name, u.String()
}

func open(t *testing.T, dsn string) *postgres.Store {
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
	serverDSN(t)
	storetest.Run(t, func(t *testing.T) otpd.Store {
		_, dsn := freshSchema(t)
		return open(t, dsn)
	})
}

// Several nodes starting at once on a new database apply each migration
// once, and all of them open it.
func TestConcurrentOpen(t *testing.T) {
	_, dsn := freshSchema(t)
	const n = 8
	errs := make(chan error, n)
	for range n {
		go func() {
			s, err := postgres.Open(t.Context(), dsn)
			if err == nil {
				err = s.Close()
			}
			errs <- err
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Errorf("concurrent Open: %v", err)
		}
	}
	s := open(t, dsn)
	_, err := s.AccountByID(t.Context(), "x")
	if !errors.Is(err, otpd.ErrNotFound) {
		t.Errorf("AccountByID after concurrent opens: %v, want ErrNotFound", err)
	}
}

// A database migrated by a newer otpd is refused: this build does not know
// what the newer schema means.
func TestRefusesNewerSchema(t *testing.T) {
	name, dsn := freshSchema(t)
	s, err := postgres.Open(t.Context(), dsn)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	bumpVersion(t, name)

	s, err = postgres.Open(t.Context(), dsn)
	var ve *postgres.SchemaVersionError
	if !errors.As(err, &ve) {
		if s != nil {
			s.Close()
		}
		t.Fatalf("Open of a newer schema: %v, want *postgres.SchemaVersionError", err)
	}
	if ve.Database != ve.Known+1 {
		t.Errorf("SchemaVersionError %+v, want Database = Known+1", ve)
	}
}

// bumpVersion records a migration this build does not have, as a newer
// otpd would.
func bumpVersion(t *testing.T, schema string) {
	t.Helper()
	db, err := sql.Open("pgx", serverDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(t.Context(), `INSERT INTO `+schema+`.schema_migrations (version, applied_at)
		SELECT MAX(version) + 1, 0 FROM `+schema+`.schema_migrations`); err != nil {
		t.Fatal(err)
	}
}
