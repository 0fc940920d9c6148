package sqlite

import (
	"path/filepath"
	"testing"
)

// The queries in internal/sqlstore are written once, with PostgreSQL's
// numbered placeholders. They run here because modernc.org/sqlite binds
// $N to the N-th argument, wherever and however often it stands; were a
// driver upgrade to bind by order of appearance instead, a query could
// take another argument's value without failing. This pins it.
func TestNumberedPlaceholders(t *testing.T) {
	db, err := openDB(filepath.Join(t.TempDir(), "otpd.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var a, b, c string
	if err := db.QueryRowContext(t.Context(), `SELECT $2, $1, $2`, "one", "two").Scan(&a, &b, &c); err != nil {
		t.Fatal(err)
	}
	if a != "two" || b != "one" || c != "two" {
		t.Errorf("SELECT $2, $1, $2 with (one, two) = %s, %s, %s; want two, one, two", a, b, c)
	}
}
