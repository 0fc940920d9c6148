package sqlschema

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/otpd/otpd"
)

// rekey brings the addresses stored before migration 9 to the canonical
// form of otpd.Address: their spelling in NFC, their key folded without
// merging a non-ASCII letter into an ASCII one, and a challenge's
// mailbox_key. The old key was the address lower-cased, which differs
// only for local parts with non-ASCII letters, so only those rows are
// read (the octet and character lengths of their address differ); the
// mailbox keys differ only for sub-addresses and Gmail's.
func rekey(ctx context.Context, tx *sql.Tx) error {
	const nonASCII = ` WHERE octet_length(email) <> length(email)`
	for _, table := range []string{"accounts", "challenges", "events"} {
		if err := rekeyRows(ctx, tx, table, `SELECT id, email FROM `+table+nonASCII); err != nil {
			return err
		}
	}
	return rekeyRows(ctx, tx, "challenges", `SELECT id, email FROM challenges WHERE email_key LIKE '%+%'
		OR email_key LIKE '%@gmail.com' OR email_key LIKE '%@googlemail.com'`)
}

// rekeyRows rewrites the address and its keys of the rows query selects
// (their id and email) in table. An address that no longer parses is left
// as it was: it was accepted once, and its rows keep working by their old
// key.
func rekeyRows(ctx context.Context, tx *sql.Tx, table, query string) error {
	rows, err := tx.QueryContext(ctx, query)
	if err != nil {
		return fmt.Errorf("rekey %s: %w", table, err)
	}
	var found [][2]string
	for rows.Next() {
		var id, email string
		if err := rows.Scan(&id, &email); err != nil {
			rows.Close()
			return fmt.Errorf("rekey %s: %w", table, err)
		}
		found = append(found, [2]string{id, email})
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return fmt.Errorf("rekey %s: %w", table, err)
	}
	set := `UPDATE ` + table + ` SET email = $1, email_key = $2 WHERE id = $3`
	if table == "challenges" {
		set = `UPDATE challenges SET email = $1, email_key = $2, mailbox_key = $4 WHERE id = $3`
	}
	for _, row := range found {
		a, err := otpd.ParseAddress(row[1])
		if err != nil {
			continue
		}
		args := []any{a.String(), a.Key(), row[0]}
		if table == "challenges" {
			args = append(args, a.MailboxKey())
		}
		if _, err := tx.ExecContext(ctx, set, args...); err != nil {
			if table == "accounts" && strings.Contains(strings.ToLower(err.Error()), "unique") {
				return fmt.Errorf("rekey: account %s's address %s is another account's in its canonical form; "+
					"delete or change one of the two, then migrate again: %w", row[0], a, err)
			}
			return fmt.Errorf("rekey %s %s: %w", table, row[0], err)
		}
	}
	return nil
}
