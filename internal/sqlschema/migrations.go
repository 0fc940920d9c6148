package sqlschema

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

// Migration is one numbered schema change, NNNN_name.sql. A file, once
// released, never changes: a change to the schema is a new file, with the
// same number in every dialect.
type Migration struct {
	Version int
	Name    string
	SQL     string
	// Then, when set, runs after SQL in the same transaction: a change
	// of data that needs otpd's own rules, such as an address's key.
	Then func(ctx context.Context, tx *sql.Tx) error
}

// goSteps are the migrations' steps written in Go, by version; they are
// the same for every dialect.
var goSteps = map[int]func(ctx context.Context, tx *sql.Tx) error{
	9: rekey,
}

// loadMigrations reads the files matching pattern in fsys, in order of
// their numbers, which must run 1, 2, 3, ... without gaps.
func loadMigrations(fsys fs.FS, pattern string) ([]Migration, error) {
	names, err := fs.Glob(fsys, pattern)
	if err != nil {
		return nil, err
	}
	ms := make([]Migration, 0, len(names))
	for _, name := range names {
		base := path.Base(name)
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name must start with a positive number and _", base)
		}
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		ms = append(ms, Migration{Version: v, Name: base, SQL: string(b), Then: goSteps[v]})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	for i, m := range ms {
		if m.Version != i+1 {
			return nil, fmt.Errorf("migration %s: expected version %d; versions must be 1, 2, 3, ... without gaps", m.Name, i+1)
		}
	}
	return ms, nil
}

// SchemaVersionError is returned by a store's Open for a database whose
// schema is newer than this build knows: running old code on it could
// corrupt data the new code relies on.
type SchemaVersionError struct {
	Database int // the version recorded in the database
	Known    int // the newest version this build knows
}

func (e *SchemaVersionError) Error() string {
	return fmt.Sprintf("database schema version %d is newer than this otpd knows (%d); upgrade otpd", e.Database, e.Known)
}

// SchemaOutdatedError is returned by a store's Open for a database whose
// schema is older than this build's: upgrading a schema that holds data is
// a step an operator takes on purpose (after a backup, once every node
// runs a build that knows the new version), not a side effect of a start.
type SchemaOutdatedError struct {
	Database int      // the version recorded in the database
	Known    int      // the newest version this build knows
	Pending  []string // the names of the migrations not applied, in order
}

func (e *SchemaOutdatedError) Error() string {
	return fmt.Sprintf("database schema version %d is older than this otpd's (%d); not applied: %s",
		e.Database, e.Known, strings.Join(e.Pending, ", "))
}
