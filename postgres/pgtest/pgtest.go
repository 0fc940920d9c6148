// Package pgtest gives tests an empty PostgreSQL schema of their own on the
// server named by OTPD_TEST_POSTGRES.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"net/url"
	"os"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

// ServerDSN names the server the tests run against, from
// OTPD_TEST_POSTGRES, e.g.
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable. Without it the
// tests skip, unless OTPD_REQUIRE_SERVICES=1 says a skip would hide a gap.
func ServerDSN(t testing.TB) string {
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

// Schema creates an empty schema of its own for t (a test or a
// benchmark), dropped when t ends, and returns its name and a DSN whose
// search_path names it.
func Schema(t testing.TB) (name, dsn string) {
	t.Helper()
	base := ServerDSN(t)
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
