package main

import (
	"database/sql"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/otpd/otpd/postgres/pgtest"
)

// olderDatabase makes, for each store, a database that an otpd knowing
// only migration 1 would have made, and returns the settings that name it.
var olderDatabase = map[string]func(t *testing.T) (env map[string]string, flags []string){
	"SQLite": func(t *testing.T) (map[string]string, []string) {
		dir := t.TempDir()
		db, err := sql.Open("sqlite", filepath.Join(dir, "otpd.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		applyFirst(t, db, "../../sqlite/migrations/0001_init.sql", "INTEGER")
		return nil, []string{"--data", dir}
	},
	"PostgreSQL": func(t *testing.T) (map[string]string, []string) {
		_, dsn := pgtest.Schema(t)
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		applyFirst(t, db, "../../postgres/migrations/0001_init.sql", "BIGINT")
		return map[string]string{"OTPD_DATABASE": dsn}, []string{"--data", t.TempDir()}
	},
}

func applyFirst(t *testing.T, db *sql.DB, file, bigint string) {
	t.Helper()
	init, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		string(init),
		`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at ` + bigint + ` NOT NULL)`,
		`INSERT INTO schema_migrations (version, applied_at) VALUES (1, 1793610000000)`,
	} {
		if _, err := db.ExecContext(t.Context(), q); err != nil {
			t.Fatal(err)
		}
	}
}

// pending0002 and pendingDevMailbox find, in otpd migrate status, the
// first migration after 1 and the one of the dev mailbox and retention,
// whatever its number; appliedDevMailbox finds the latter in migrate up.
var (
	pending0002       = regexp.MustCompile(`(?m)^  0002_\w+\.sql +pending$`)
	pendingDevMailbox = regexp.MustCompile(`(?m)^  \d{4}_dev_mailbox_retention\.sql +pending$`)
	appliedDevMailbox = regexp.MustCompile(`(?m)^Applied \d{4}_dev_mailbox_retention\.sql\.$`)
)

// An older schema stops the server with the command that upgrades it;
// otpd migrate shows what is pending and applies it; then the server
// starts.
func TestMigrateCommand(t *testing.T) {
	for name, older := range olderDatabase {
		t.Run(name, func(t *testing.T) {
			env, flags := older(t)
			_, _, err := runCmd(t, env, append([]string{"serve", "--listen", "127.0.0.1:0"}, flags...)...)
			if err == nil || !strings.Contains(err.Error(), "older than this otpd's") ||
				!strings.Contains(err.Error(), "\n    otpd migrate up --data "+flags[1]+"\n") ||
				!strings.Contains(err.Error(), "--migrate") {
				t.Fatalf("serve on an older schema: %v, want a refusal naming otpd migrate up --data and --migrate", err)
			}

			out, _, err := runCmd(t, env, append([]string{"migrate", "status"}, flags...)...)
			if err != nil || !strings.Contains(out, "Schema version 1;") ||
				!regexp.MustCompile(`(?m)^  0001_init\.sql +applied 2026-11-02 `).MatchString(out) ||
				!pending0002.MatchString(out) || !pendingDevMailbox.MatchString(out) ||
				!strings.Contains(out, `pending. Back up the database, then run "otpd migrate up".`) {
				t.Fatalf("migrate status: %v\n%s", err, out)
			}

			out, _, err = runCmd(t, env, append([]string{"migrate", "up"}, flags...)...)
			if err != nil || !strings.HasPrefix(out, "Applied 0002_") ||
				!appliedDevMailbox.MatchString(out) || !strings.Contains(out, "up to date") {
				t.Fatalf("migrate up: %v\n%s", err, out)
			}
			out, _, err = runCmd(t, env, append([]string{"migrate", "up"}, flags...)...)
			if err != nil || !strings.HasPrefix(out, "Nothing to apply.") {
				t.Errorf("migrate up again: %v\n%s", err, out)
			}
			out, _, err = runCmd(t, env, append([]string{"migrate", "status"}, flags...)...)
			if err != nil || pendingDevMailbox.MatchString(out) || !strings.Contains(out, "The schema is up to date.") {
				t.Errorf("migrate status after up: %v\n%s", err, out)
			}
			startServer(t, env, flags...)
		})
	}
}

// Told to, the server upgrades an older schema itself: by --migrate, or
// by migrate = true in the configuration.
func TestServeMigrates(t *testing.T) {
	for name, older := range olderDatabase {
		t.Run(name, func(t *testing.T) {
			env, flags := older(t)
			if name == "SQLite" {
				flags = append(flags, "--migrate")
			} else {
				env["OTPD_MIGRATE"] = "true"
			}
			s := startServer(t, env, flags...)
			if !strings.Contains(s.logs.String(), "applied a database migration") ||
				!strings.Contains(s.logs.String(), "_dev_mailbox_retention.sql") {
				t.Errorf("the server's log does not say what it applied:\n%s", s.logs)
			}
		})
	}
}

// A new database needs no step: status says so, and serve creates it.
func TestMigrateNewDatabase(t *testing.T) {
	dir := t.TempDir()
	out, _, err := runCmd(t, nil, "migrate", "status", "--data", dir)
	if err != nil || !strings.Contains(out, "Schema version 0;") || !strings.Contains(out, "The database is new") {
		t.Errorf("migrate status of a new database: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "otpd.db")); err == nil {
		t.Error("migrate status created the database")
	}
	out, _, err = runCmd(t, nil, "migrate", "up", "--data", filepath.Join(dir, "new"))
	if err != nil || !strings.HasPrefix(out, "Applied 0001_init.sql.\nApplied 0002_") ||
		!appliedDevMailbox.MatchString(out) {
		t.Errorf("migrate up of a new database: %v\n%s", err, out)
	}
}

func TestMigrateHelp(t *testing.T) {
	for _, args := range [][]string{{"migrate", "--help"}, {"help", "migrate"}, {"migrate", "status", "-h"}} {
		out, _, err := runCmd(t, nil, args...)
		if err != flag.ErrHelp {
			t.Errorf("%v: err %v, want flag.ErrHelp", args, err)
		}
		for _, want := range []string{"status", "up", "-config", "-data", "--migrate", "OTPD_MIGRATE", "Back up"} {
			if !strings.Contains(out, want) {
				t.Errorf("%v: help lacks %q:\n%s", args, want, out)
			}
		}
	}
	for _, args := range [][]string{{"migrate"}, {"migrate", "down"}, {"migrate", "up", "extra"}} {
		if _, _, err := runCmd(t, nil, args...); err == nil || !strings.Contains(err.Error(), "status or up") {
			t.Errorf("%v: %v, want an error naming status and up", args, err)
		}
	}
	out, _, _ := runCmd(t, nil, "--help")
	if !strings.Contains(out, "otpd migrate up") || !strings.Contains(out, "-migrate") || !strings.Contains(out, "OTPD_MIGRATE") {
		t.Errorf("otpd --help does not mention migrating:\n%s", out)
	}
}
