package sqlstore

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/otpd/otpd"
)

// msPerDay turns stored milliseconds into days since 1970-01-01.
const msPerDay = 24 * 60 * 60 * 1000

// DeleteAccount erases an account and what is kept about it, in one
// transaction. It first takes the locks of every address the account
// has or had (its sign-in and recovery addresses, its old addresses and
// those of its codes), so that no code request, verify or password
// attempt about them runs meanwhile: one that comes after finds no
// challenge and no account, and a sign-up then makes a new account.
func (s *Store) DeleteAccount(ctx context.Context, accountID string, at time.Time) error {
	err := s.inTx(ctx, func(tx *txn) error {
		acct, err := s.lockAccount(ctx, tx, accountID)
		if err != nil {
			return err
		}
		addrs, err := accountAddresses(ctx, tx, acct)
		if err != nil {
			return err
		}
		for _, a := range addrs {
			if err := s.lockAddress(ctx, tx, a.Key()); err != nil {
				return err
			}
		}
		if err := countEvents(ctx, tx, accountID, addrs, at); err != nil {
			return err
		}
		if err := erase(ctx, tx, accountID, addrs); err != nil {
			return err
		}
		// The one row that keeps the account's ID: the receiving apps
		// must learn which account to erase. It goes when delivered
		// and pruned.
		return queueWebhooks(ctx, tx, otpd.Event{Type: otpd.EventAccountDeleted, AccountID: accountID, At: at}, otpd.WebhookApp{})
	})
	if err != nil {
		return s.errorf("delete account %s: %w", accountID, err)
	}
	return nil
}

// accountAddresses are the addresses an account has or had, each once,
// mailboxes first and then by key: the order every transaction that
// locks two addresses keeps (RequestCode locks a mailbox before the
// address in it).
func accountAddresses(ctx context.Context, tx *txn, acct otpd.Account) ([]otpd.Address, error) {
	byKey := map[string]otpd.Address{acct.Email.Key(): acct.Email}
	if !acct.RecoveryEmail.IsZero() {
		byKey[acct.RecoveryEmail.Key()] = acct.RecoveryEmail
	}
	rows, err := tx.QueryContext(ctx, `SELECT email FROM challenges WHERE account_id = $1
		UNION SELECT old_email FROM email_changes WHERE account_id = $1
		UNION SELECT new_email FROM email_changes WHERE account_id = $1`, acct.ID)
	found, err := scanAll(rows, err, func(row scanner) (otpd.Address, error) {
		var s string
		if err := row.Scan(&s); err != nil {
			return otpd.Address{}, err
		}
		return parseAddress(s)
	})
	if err != nil {
		return nil, fmt.Errorf("addresses: %w", err)
	}
	for _, a := range found {
		if !a.IsZero() {
			byKey[a.Key()] = a
		}
	}
	var out []otpd.Address
	for _, a := range byKey {
		out = append(out, a)
	}
	mailbox := func(a otpd.Address) bool { return a.MailboxKey() == a.Key() }
	slices.SortFunc(out, func(a, b otpd.Address) int {
		if mailbox(a) != mailbox(b) {
			if mailbox(a) {
				return -1
			}
			return 1
		}
		return cmp.Compare(a.Key(), b.Key())
	})
	return out, nil
}

// countEvents adds the account's events, and those about its addresses
// that no account holds, to the anonymous counts per day and type, and
// counts the deletion itself.
func countEvents(ctx context.Context, tx *txn, accountID string, addrs []otpd.Address, at time.Time) error {
	const upsert = ` ON CONFLICT (day, type) DO UPDATE SET count = event_counts.count + excluded.count`
	if _, err := tx.ExecContext(ctx, `INSERT INTO event_counts (day, type, count)
		SELECT at / `+fmt.Sprint(msPerDay)+`, type, COUNT(*) FROM events WHERE account_id = $1
		GROUP BY at / `+fmt.Sprint(msPerDay)+`, type`+upsert, accountID); err != nil {
		return fmt.Errorf("count events: %w", err)
	}
	for _, a := range addrs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO event_counts (day, type, count)
			SELECT at / `+fmt.Sprint(msPerDay)+`, type, COUNT(*) FROM events WHERE account_id IS NULL AND email_key = $1
			GROUP BY at / `+fmt.Sprint(msPerDay)+`, type`+upsert, a.Key()); err != nil {
			return fmt.Errorf("count events: %w", err)
		}
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO event_counts (day, type, count) VALUES ($1, $2, 1)`+upsert,
		toMS(at)/msPerDay, otpd.EventAccountDeleted)
	if err != nil {
		return fmt.Errorf("count deletion: %w", err)
	}
	return nil
}

// accountRows are the statements that erase an account's rows, children
// before the rows they reference; $1 is the account's ID.
var accountRows = []string{
	`DELETE FROM oidc_access_tokens WHERE family_id IN (SELECT id FROM oidc_token_families WHERE account_id = $1)`,
	`DELETE FROM oidc_refresh_tokens WHERE family_id IN (SELECT id FROM oidc_token_families WHERE account_id = $1)`,
	`DELETE FROM oidc_token_families WHERE account_id = $1`,
	`DELETE FROM oidc_grants WHERE account_id = $1`,
	`DELETE FROM oidc_auth_requests WHERE account_id = $1 OR hint_subject = $1`,
	`DELETE FROM recovery_codes WHERE account_id = $1`,
	`DELETE FROM methods WHERE account_id = $1`,
	`DELETE FROM sessions WHERE account_id = $1`,
	`DELETE FROM devices WHERE account_id = $1`,
	`DELETE FROM campaigns WHERE account_id = $1`,
	`DELETE FROM outbox WHERE challenge_id IN (SELECT id FROM challenges WHERE account_id = $1)`,
	`DELETE FROM email_changes WHERE account_id = $1`,
	`DELETE FROM challenges WHERE account_id = $1`,
	`DELETE FROM events WHERE account_id = $1`,
	// Its webhooks, queued or kept after delivery: their bodies may
	// carry its address. account.deleted, queued after, tells the apps.
	`DELETE FROM webhooks WHERE account_id = $1`,
}

// addressRows are the statements that erase what is kept about one of
// the account's addresses and belongs to no account: the codes asked
// for it before the account existed, their messages and events, the
// notices sent to it and the dev mailbox's letters. $1 is the address's
// key, or the address as messages are sent to it where sent is set.
var addressRows = []struct {
	query string
	sent  bool
}{
	{query: `DELETE FROM outbox WHERE challenge_id IN (SELECT id FROM challenges WHERE account_id IS NULL AND email_key = $1)`},
	{query: `DELETE FROM outbox WHERE challenge_id IS NULL AND to_addr = $1`, sent: true},
	{query: `DELETE FROM challenges WHERE account_id IS NULL AND email_key = $1`},
	{query: `DELETE FROM events WHERE account_id IS NULL AND email_key = $1`},
	{query: `DELETE FROM dev_messages WHERE to_key = $1`},
	// An app's sign-in request not yet completed that named the address
	// as its login_hint.
	{query: `DELETE FROM oidc_auth_requests WHERE account_id IS NULL AND login_hint = $1`, sent: true},
}

// erase deletes the account's rows and its addresses', then the account.
func erase(ctx context.Context, tx *txn, accountID string, addrs []otpd.Address) error {
	for _, q := range accountRows {
		if _, err := tx.ExecContext(ctx, q, accountID); err != nil {
			return fmt.Errorf("erase %q: %w", q, err)
		}
	}
	for _, a := range addrs {
		for _, r := range addressRows {
			arg := a.Key()
			if r.sent {
				arg = a.String()
			}
			if _, err := tx.ExecContext(ctx, r.query, arg); err != nil {
				return fmt.Errorf("erase %q: %w", r.query, err)
			}
		}
		for _, c := range guardContexts {
			key := otpd.GuardKey{Email: a, Context: c}
			if _, err := tx.ExecContext(ctx, `DELETE FROM guards WHERE guard_key = $1`, key.String()); err != nil {
				return fmt.Errorf("erase guard: %w", err)
			}
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM accounts WHERE id = $1`, accountID); err != nil {
		return fmt.Errorf("erase account: %w", err)
	}
	return nil
}
