package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/otpd/otpd"
)

// AccountData reads everything kept about an account, table by table:
// what DeleteAccount erases, less the letters of the dev mailbox, which
// hold the messages listed here.
func (s *Store) AccountData(ctx context.Context, accountID string) (otpd.AccountData, error) {
	d, err := accountData(ctx, s.db, accountID)
	if err != nil {
		return otpd.AccountData{}, s.errorf("account data %s: %w", accountID, err)
	}
	return d, nil
}

// reader is what accountData reads through.
type reader interface {
	queryer
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func accountData(ctx context.Context, tx reader, id string) (otpd.AccountData, error) {
	var d otpd.AccountData
	var err error
	if d.Account, err = scanAccount(tx.QueryRowContext(ctx, `SELECT `+accountColumns+` FROM accounts WHERE id = $1`, id)); err != nil {
		return d, notFound(err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE account_id = $1 ORDER BY created_at DESC, id`, id)
	if d.Sessions, err = scanAll(rows, err, scanSession); err != nil {
		return d, fmt.Errorf("sessions: %w", err)
	}
	rows, err = tx.QueryContext(ctx, `SELECT `+deviceColumns+` FROM devices WHERE account_id = $1 ORDER BY last_seen DESC, id`, id)
	if d.Devices, err = scanAll(rows, err, scanDevice); err != nil {
		return d, fmt.Errorf("devices: %w", err)
	}
	rows, err = tx.QueryContext(ctx, `SELECT id, type, at, account_id, email, flow_id, ip, user_agent, place,
		purpose, resend, reason, concerns FROM events WHERE account_id = $1 ORDER BY at DESC, seq DESC`, id)
	if d.Events, err = scanAll(rows, err, scanEvent); err != nil {
		return d, fmt.Errorf("events: %w", err)
	}
	rows, err = tx.QueryContext(ctx, `SELECT `+challengeColumns+` FROM challenges WHERE account_id = $1
		OR (account_id IS NULL AND email_key = $2) ORDER BY created_at DESC, seq DESC`, id, d.Account.Email.Key())
	if d.Challenges, err = scanAll(rows, err, scanChallenge); err != nil {
		return d, fmt.Errorf("challenges: %w", err)
	}
	rows, err = tx.QueryContext(ctx, `SELECT kind, to_addr, state, created_at, finished_at FROM outbox
		WHERE challenge_id IN (SELECT id FROM challenges WHERE account_id = $1)
		OR (challenge_id IS NULL AND to_addr IN ($2, $3)) ORDER BY created_at DESC, id`,
		id, d.Account.Email.String(), d.Account.RecoveryEmail.String())
	if d.Messages, err = scanAll(rows, err, scanRecord); err != nil {
		return d, fmt.Errorf("messages: %w", err)
	}
	rows, err = tx.QueryContext(ctx, `SELECT old_email, new_email, changed_at, undo_until, undone_at FROM email_changes
		WHERE account_id = $1 ORDER BY changed_at DESC, id`, id)
	if d.EmailChanges, err = scanAll(rows, err, scanEmailChange); err != nil {
		return d, fmt.Errorf("address changes: %w", err)
	}
	rows, err = tx.QueryContext(ctx, `SELECT id, account_id, started_at, last_at, until, requests, places FROM campaigns
		WHERE account_id = $1 ORDER BY started_at DESC, id`, id)
	if d.Campaigns, err = scanAll(rows, err, scanCampaign); err != nil {
		return d, fmt.Errorf("campaigns: %w", err)
	}
	rows, err = tx.QueryContext(ctx, `SELECT `+grantColumns+` FROM oidc_grants WHERE account_id = $1 ORDER BY granted_at, client_id`, id)
	if d.Grants, err = scanAll(rows, err, scanGrant); err != nil {
		return d, fmt.Errorf("grants: %w", err)
	}
	rows, err = tx.QueryContext(ctx, `SELECT `+methodColumns+` FROM methods m WHERE m.account_id = $1 ORDER BY m.created_at, m.id`, id)
	if d.Methods, err = scanAll(rows, err, scanMethod); err != nil {
		return d, fmt.Errorf("methods: %w", err)
	}
	for _, c := range guardContexts {
		key := otpd.GuardKey{Email: d.Account.Email, Context: c}
		g := otpd.GuardState{Key: string(c)}
		var start, locked int64
		err := tx.QueryRowContext(ctx, `SELECT wrong_count, window_start, locked_until FROM guards WHERE guard_key = $1`,
			key.String()).Scan(&g.Wrong, &start, &locked)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return d, fmt.Errorf("guards: %w", err)
		}
		g.WindowStart, g.LockedUntil = fromZeroMS(start), fromZeroMS(locked)
		d.Guards = append(d.Guards, g)
	}
	return d, nil
}

func scanRecord(row scanner) (otpd.OutboxRecord, error) {
	var r otpd.OutboxRecord
	var kind, to, state string
	var created int64
	var finished sql.NullInt64
	if err := row.Scan(&kind, &to, &state, &created, &finished); err != nil {
		return otpd.OutboxRecord{}, err
	}
	addr, err := parseAddress(to)
	r.Kind, r.To, r.State, r.CreatedAt, r.FinishedAt = otpd.MessageKind(kind), addr, otpd.MessageState(state), fromMS(created), fromNullMS(finished)
	return r, err
}

func scanEmailChange(row scanner) (otpd.EmailChange, error) {
	var c otpd.EmailChange
	var old, next string
	var changed, undo int64
	var undone sql.NullInt64
	if err := row.Scan(&old, &next, &changed, &undo, &undone); err != nil {
		return otpd.EmailChange{}, err
	}
	var err1, err2 error
	c.Old, err1 = parseAddress(old)
	c.New, err2 = parseAddress(next)
	c.ChangedAt, c.UndoUntil, c.UndoneAt = fromMS(changed), fromMS(undo), fromNullMS(undone)
	if err1 != nil {
		return c, err1
	}
	return c, err2
}
