package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/otpd/otpd"
)

// table is the columns seed fills; every other column keeps its default.
type table struct {
	name    string
	columns []string
}

var accountTable = table{"accounts", []string{"id", "email", "email_key", "created_at", "last_signin_at"}}

var eventTable = table{"events", []string{"id", "type", "at", "account_id", "email", "email_key",
	"flow_id", "ip", "user_agent", "detail"}}

// seedAddress is the i-th account's address.
func seedAddress(i int) otpd.Address { return otpd.MustParseAddress(accountEmail(i)) }

func accountRow(i int64, now time.Time, row []any) {
	a := seedAddress(int(i))
	created := now.Add(-300 * 24 * time.Hour).UnixMilli()
	row[0], row[1], row[2], row[3], row[4] = fmt.Sprintf("seed-account-%d", i), a.String(), a.Key(), created, created
}

// eventKinds is the round of events seed cycles through: the ones a
// sign-in records, and a few a person's account collects besides.
var eventKinds = []struct {
	kind   otpd.EventType
	detail string
}{
	{otpd.EventCodeRequested, "code requested to sign in"},
	{otpd.EventCodeVerified, "code verified"},
	{otpd.EventSessionStarted, "signed in"},
	{otpd.EventCodeRequested, "code requested to sign in"},
	{otpd.EventCodeWrong, "wrong code; 4 attempts left"},
	{otpd.EventCodeVerified, "code verified"},
	{otpd.EventSessionStarted, "signed in"},
	{otpd.EventDeviceRemembered, "device remembered: Firefox on Linux"},
	{otpd.EventSessionEnded, "signed out"},
	{otpd.EventCodeRequested, "code requested to sign in"},
}

// eventRow makes the i-th event: accounts take turns, so each has about
// events/accounts, and times run evenly over the last 300 days. IDs are
// sequential rather than random like otpd's: the unique index then grows
// at its end, which makes seeding several times faster and changes no
// lookup the server makes (it never looks events up by ID).
func eventRow(i, total int64, accounts int, now time.Time, row []any) {
	acct := int(i % int64(accounts))
	a := seedAddress(acct)
	k := eventKinds[i%int64(len(eventKinds))]
	span := int64(300 * 24 * time.Hour / time.Millisecond)
	at := now.UnixMilli() - span + i*span/total
	row[0], row[1], row[2], row[3] = fmt.Sprintf("seed-event-%d", i), string(k.kind), at, fmt.Sprintf("seed-account-%d", acct)
	row[4], row[5], row[6] = a.String(), a.Key(), fmt.Sprintf("seed-flow-%d", i/3)
	row[7], row[8], row[9] = fmt.Sprintf("192.0.2.%d", acct%250+1), "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0", k.detail
}

// insertAll inserts total rows made by fill, seedRows to a statement and
// seedBatch to a transaction, and reports its progress every million.
func insertAll(ctx context.Context, db *sql.DB, t table, total int64, fill func(i int64, row []any), progress io.Writer) error {
	start := time.Now()
	for first := int64(0); first < total; first += seedBatch {
		n := min(seedBatch, total-first)
		if err := insertBatch(ctx, db, t, first, n, fill); err != nil {
			return fmt.Errorf("seed %s: %w", t.name, err)
		}
		if done := first + n; done%1_000_000 == 0 || done == total {
			fmt.Fprintf(progress, "seed: %d %s (%.0f rows/s)\n", done, t.name, float64(done)/time.Since(start).Seconds())
		}
	}
	return nil
}

// insertBatch inserts rows first to first+n-1 in one transaction.
func insertBatch(ctx context.Context, db *sql.DB, t table, first, n int64, fill func(i int64, row []any)) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	cols := len(t.columns)
	var stmt *sql.Stmt
	stmtRows := int64(0)
	args := make([]any, seedRows*cols)
	for i := first; i < first+n; i += stmtRows {
		rows := min(seedRows, first+n-i)
		if rows != stmtRows {
			if stmt, err = tx.PrepareContext(ctx, insertSQL(t, int(rows))); err != nil {
				return err
			}
			defer stmt.Close()
			stmtRows = rows
		}
		for r := range rows {
			fill(i+r, args[r*int64(cols):(r+1)*int64(cols)])
		}
		if _, err := stmt.ExecContext(ctx, args[:rows*int64(cols)]...); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// insertSQL is one INSERT of rows rows.
func insertSQL(t table, rows int) string {
	one := "(" + strings.TrimSuffix(strings.Repeat("?,", len(t.columns)), ",") + ")"
	return "INSERT INTO " + t.name + " (" + strings.Join(t.columns, ", ") + ") VALUES " +
		strings.TrimSuffix(strings.Repeat(one+",", rows), ",")
}
