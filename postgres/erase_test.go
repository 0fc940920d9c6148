package postgres_test

import (
	"database/sql"
	"testing"

	"github.com/otpd/otpd/postgres/pgtest"
	"github.com/otpd/otpd/storetest"
)

// Delete leaves nothing of the account in any text column of any table of
// the schema, tables added later included. (The bytea columns hold hashes
// and sealed payloads, which name nobody readably.)
func TestDeleteErasesEveryTable(t *testing.T) {
	name, dsn := pgtest.Schema(t)
	s := open(t, dsn)
	db, err := sql.Open("pgx", pgtest.ServerDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	storetest.Erased(t, s, func(needles []string) []string {
		t.Helper()
		rows, err := db.QueryContext(t.Context(), `SELECT table_name, column_name FROM information_schema.columns
			WHERE table_schema = $1 AND data_type IN ('text', 'character varying')`, name)
		if err != nil {
			t.Fatal(err)
		}
		type col struct{ table, column string }
		var cols []col
		for rows.Next() {
			var c col
			if err := rows.Scan(&c.table, &c.column); err != nil {
				t.Fatal(err)
			}
			cols = append(cols, c)
		}
		rows.Close()
		var found []string
		for _, c := range cols {
			for _, n := range needles {
				var hits int
				q := `SELECT COUNT(*) FROM ` + name + `."` + c.table + `" WHERE strpos("` + c.column + `", $1) > 0`
				if err := db.QueryRowContext(t.Context(), q, n).Scan(&hits); err != nil {
					t.Fatalf("%s.%s: %v", c.table, c.column, err)
				}
				if hits > 0 {
					found = append(found, c.table+"."+c.column+" ("+n+")")
				}
			}
		}
		return found
	})
}
