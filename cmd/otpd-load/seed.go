package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/otpd/otpd/sqlite"
)

const seedUsage = `Usage: otpd-load seed --db PATH [--accounts N] [--events N]

Fills an SQLite store with accounts and security events, quickly, so that a
server can then be measured on a store of realistic size. The schema is
otpd's own: the file is created (or checked) by the sqlite store's Open,
which runs its migrations; the rows are then inserted in large
transactions. Point --db at DATA/otpd.db and start otpd with --data DATA.

Accounts are named user0@load.test, user1@load.test, ..., the names
otpd-load --accounts signs in, so a run signs in accounts with a history.
Events are spread evenly over the accounts and over the last 300 days
(inside the default 400-day retention, so the server keeps them).

Flags:
`

// seedBatch is the rows one transaction inserts: large, so that commits
// (and their syncs) are a small part of the time.
const seedBatch = 100_000

// seedRows is the rows one INSERT statement carries; its parameters
// (rows × columns) stay well below SQLite's limit of 32,766.
const seedRows = 200

func seedCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("otpd-load seed", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if slices.ContainsFunc(args, func(a string) bool { return a == "-h" || a == "-help" || a == "--help" }) {
		fs.SetOutput(stdout)
	}
	path := fs.String("db", "", "the SQLite `file` to fill (created if missing)")
	accounts := fs.Int("accounts", 1_000_000, "accounts to create")
	events := fs.Int64("events", 10_000_000, "security events to create, spread over the accounts")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), seedUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch {
	case *path == "":
		return errors.New("seed: --db is required")
	case *accounts < 1 || *accounts > 100_000_000:
		return fmt.Errorf("seed: --accounts must be between 1 and 100000000, got %d", *accounts)
	case *events < 0 || *events > 1_000_000_000:
		return fmt.Errorf("seed: --events must be between 0 and 1000000000, got %d", *events)
	}
	return seed(ctx, *path, *accounts, *events, stderr)
}

// seed creates the schema with otpd's own migrations, then fills it.
func seed(ctx context.Context, path string, accounts int, events int64, progress io.Writer) error {
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	if err := s.Close(); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	db, err := sql.Open("sqlite", path+"?"+seedDSN)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM accounts`).Scan(&n); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	if n > 0 {
		return fmt.Errorf("seed: %s already has %d accounts; seed a new file", path, n)
	}
	now := time.Now()
	start := time.Now()
	if err := insertAll(ctx, db, accountTable, int64(accounts), func(i int64, row []any) { accountRow(i, now, row) }, progress); err != nil {
		return err
	}
	err = insertAll(ctx, db, eventTable, events, func(i int64, row []any) { eventRow(i, events, accounts, now, row) }, progress)
	if err != nil {
		return err
	}
	fmt.Fprintf(progress, "seed: %d accounts and %d events in %s\n", accounts, events, time.Since(start).Round(time.Second))
	return nil
}

// seedDSN is the sqlite store's own connection settings (WAL, NORMAL
// sync, immediate transactions), so the file is left as otpd leaves it.
// A larger page cache was tried and made seeding slower, not faster.
const seedDSN = "_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)&_pragma=synchronous(NORMAL)" +
	"&_pragma=foreign_keys(1)&_txlock=immediate"
