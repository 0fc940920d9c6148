package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/otpd/otpd/config"
	"github.com/otpd/otpd/internal/sqlschema"
	"github.com/otpd/otpd/postgres"
	"github.com/otpd/otpd/sqlite"
)

const migrateUsage = `Usage: otpd migrate status|up [flags]

Shows or applies the database schema's migrations. The database is the one
the server would use: the database setting (OTPD_DATABASE), or otpd.db in
the data directory.

  status   list the migrations this otpd knows, which the database has and
           which are pending; changes nothing
  up       apply the pending migrations, in order, and say which it applied

otpd serve creates a new, empty database by itself and refuses one whose
schema is newer than it knows. An older schema it upgrades only when told:
run "otpd migrate up" first, or start the server with --migrate (migrate =
true in the config file, OTPD_MIGRATE=true). Back up the database first,
and upgrade once every node runs the new otpd.

Flags:
`

// schemaOps are a store's migration functions, whichever store it is.
type schemaOps struct {
	name   string // what the database is, for people; never the URL, which may hold a password
	status func(context.Context) (sqlschema.Status, error)
	up     func(context.Context) ([]sqlschema.Migration, error)
}

func schemaOf(cfg config.Config) schemaOps {
	kind, where := cfg.Store()
	if kind == config.Postgres {
		return schemaOps{
			name:   "PostgreSQL",
			status: func(ctx context.Context) (sqlschema.Status, error) { return postgres.MigrationStatus(ctx, where) },
			up:     func(ctx context.Context) ([]sqlschema.Migration, error) { return postgres.Migrate(ctx, where) },
		}
	}
	return schemaOps{
		name:   "SQLite " + where,
		status: func(ctx context.Context) (sqlschema.Status, error) { return sqlite.MigrationStatus(ctx, where) },
		up: func(ctx context.Context) ([]sqlschema.Migration, error) {
			// As serve would, make the data directory of a first start.
			if err := os.MkdirAll(filepath.Dir(where), 0o700); err != nil {
				return nil, fmt.Errorf("data directory: %w", err)
			}
			return sqlite.Migrate(ctx, where)
		},
	}
}

func migrateCommand(ctx context.Context, args []string, env func(string) (string, bool), stdout, stderr io.Writer) error {
	fs := newFlags("migrate", migrateUsage, args, stdout, stderr)
	configPath := fs.String("config", "", "read settings from this TOML `file` (default $OTPD_CONFIG)")
	data := fs.String("data", "", "the data `directory` whose otpd.db to migrate (default ./otpd-data)")
	sub := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		sub, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if (sub != "status" && sub != "up") || fs.NArg() > 0 {
		fs.Usage()
		if sub == "" {
			return errors.New("migrate needs a command: status or up")
		}
		return fmt.Errorf("migrate takes one command, status or up, got %q", strings.Join(append([]string{sub}, fs.Args()...), " "))
	}
	cfg, err := loadConfig(*configPath, *data, env)
	if err != nil {
		return err
	}
	ops := schemaOf(cfg)
	if sub == "up" {
		return migrateUp(ctx, ops, stdout)
	}
	return migrateStatus(ctx, ops, stdout)
}

// loadConfig reads the configuration as serve does, with --data applied.
func loadConfig(path, data string, env func(string) (string, bool)) (config.Config, error) {
	if path == "" {
		path, _ = env("OTPD_CONFIG")
	}
	cfg, err := loadSettings(path, env)
	if err != nil || data == "" {
		return cfg, err
	}
	cfg.DataDir = data
	return cfg, cfg.Validate()
}

func migrateStatus(ctx context.Context, ops schemaOps, w io.Writer) error {
	st, err := ops.status(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "Database: %s\nSchema version %d; this otpd knows %d.\n\n", ops.name, st.Version(), len(st.Known))
	applied := map[int]time.Time{}
	for _, a := range st.Applied {
		applied[a.Version] = a.At
	}
	for _, m := range st.Known {
		state := "pending"
		if at, ok := applied[m.Version]; ok {
			state = "applied " + at.Format("2006-01-02 15:04 MST")
		}
		fmt.Fprintf(w, "  %-40s %s\n", m.Name, state)
	}
	for _, a := range st.Applied {
		if a.Version > len(st.Known) {
			name := fmt.Sprintf("%04d (unknown to this otpd)", a.Version)
			fmt.Fprintf(w, "  %-40s applied %s\n", name, a.At.Format("2006-01-02 15:04 MST"))
		}
	}
	fmt.Fprintln(w)
	switch pending := len(st.Pending()); {
	case st.Newer():
		fmt.Fprintln(w, "The database is newer than this otpd: run a newer otpd.")
	case st.Version() == 0:
		fmt.Fprintln(w, `The database is new: "otpd serve" or "otpd migrate up" creates it.`)
	case pending > 0:
		fmt.Fprintf(w, "%d %s pending. Back up the database, then run \"otpd migrate up\".\n", pending, plural(pending, "migration", "migrations"))
	default:
		fmt.Fprintln(w, "The schema is up to date.")
	}
	return nil
}

func migrateUp(ctx context.Context, ops schemaOps, w io.Writer) error {
	applied, err := ops.up(ctx)
	for _, m := range applied {
		fmt.Fprintf(w, "Applied %s.\n", m.Name)
	}
	if err != nil {
		return err
	}
	st, err := ops.status(ctx)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprint(w, "Nothing to apply. ")
	}
	fmt.Fprintf(w, "The schema of %s is at version %d, up to date.\n", ops.name, st.Version())
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// outdatedHint adds to an outdated-schema error the command that upgrades
// it, with the flags serve was given, so the operator can paste it.
func outdatedHint(err error, configPath, data string) error {
	var oe *sqlschema.SchemaOutdatedError
	if !errors.As(err, &oe) {
		return err
	}
	cmd := "otpd migrate up"
	if configPath != "" {
		cmd += " --config " + shellWord(configPath)
	}
	if data != "" {
		cmd += " --data " + shellWord(data)
	}
	return fmt.Errorf("%w\nBack up the database, then upgrade it with\n    %s\n"+
		"or start the server with --migrate (migrate = true in the config file, OTPD_MIGRATE=true)", err, cmd)
}

// shellWord quotes s for a POSIX shell when it needs quoting.
func shellWord(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\n'\"\\$`*?[]#~;&|<>(){}!") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
