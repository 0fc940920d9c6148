package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/otpd/otpd"
)

// stateWhere is the condition of each state an account list selects.
var stateWhere = map[otpd.AccountState]string{
	otpd.StateAny:      `TRUE`,
	otpd.StateActive:   `disabled_at = 0`,
	otpd.StateDisabled: `disabled_at <> 0`,
}

// ListAccounts returns the accounts after q.After by ID, at most q.Limit
// (all when it is zero or less), in q.State.
func (s *Store) ListAccounts(ctx context.Context, q otpd.AccountQuery) ([]otpd.Account, error) {
	where, ok := stateWhere[q.State]
	if !ok {
		return nil, s.errorf("list accounts: unknown state %q", q.State)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+accountColumns+` FROM accounts
		WHERE id > $1 AND `+where+` ORDER BY id LIMIT $2`, q.After, s.limit(q.Limit))
	as, err := scanAll(rows, err, scanAccount)
	if err != nil {
		return nil, s.errorf("list accounts: %w", err)
	}
	return as, nil
}

// lockAccount takes the lock of the account's address and then reads the
// account's row under its own lock, in the order a verify takes them
// (the address, then the account's row), so that no request, verify or
// password attempt about the address runs meanwhile. An address changed
// between the first read and the row's lock is locked too.
func (s *Store) lockAccount(ctx context.Context, tx *txn, id string) (otpd.Account, error) {
	var key string
	if err := tx.QueryRowContext(ctx, `SELECT email_key FROM accounts WHERE id = $1`, id).Scan(&key); err != nil {
		return otpd.Account{}, notFound(err)
	}
	locked := map[string]bool{}
	for {
		if err := s.lockAddress(ctx, tx, key); err != nil {
			return otpd.Account{}, err
		}
		locked[key] = true
		a, err := scanAccount(tx.QueryRowContext(ctx, s.rowLocked(`SELECT `+accountColumns+` FROM accounts WHERE id = $1`, `FOR UPDATE`), id))
		if err != nil {
			return otpd.Account{}, notFound(err)
		}
		if key = a.Email.Key(); locked[key] {
			return a, nil
		}
	}
}

// SetDisabled disables or enables an account. Disabling ends every
// session, closes every pending challenge, so that no code sent before
// verifies, and revokes the tokens of its apps, all in the transaction
// that sets disabled_at.
func (s *Store) SetDisabled(ctx context.Context, req otpd.DisableRequest) (otpd.Account, bool, error) {
	var acct otpd.Account
	var changed bool
	err := s.inTx(ctx, func(tx *txn) error {
		var err error
		if acct, err = s.lockAccount(ctx, tx, req.AccountID); err != nil {
			return err
		}
		if acct.Disabled() == req.Disabled {
			return nil
		}
		changed = true
		at := time.Time{}
		req.Event.Type = otpd.EventAccountEnabled
		if req.Disabled {
			at, req.Event.Type = req.Event.At, otpd.EventAccountDisabled
			if err := closeAccess(ctx, tx, acct.ID, at); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE accounts SET disabled_at = $1 WHERE id = $2`, zeroMS(at), acct.ID); err != nil {
			return fmt.Errorf("set disabled: %w", err)
		}
		acct.DisabledAt = fromZeroMS(zeroMS(at))
		req.Event.AccountID = acct.ID
		return insertEvent(ctx, tx, req.Event)
	})
	if err != nil {
		return otpd.Account{}, false, s.errorf("set account %s disabled %t: %w", req.AccountID, req.Disabled, err)
	}
	return acct, changed, nil
}

// closeAccess takes away every way into an account: its sessions and its
// apps' tokens. Its pending codes stay pending: closing them would show
// whoever holds a flow for the address (a stranger who asked for a code
// too) that it has an account, since a flow of an address without one
// stays open. A right code of a disabled account signs nobody in
// (VerifyCode closes it then), and only its owner holds one.
func closeAccess(ctx context.Context, tx *txn, accountID string, at time.Time) error {
	if err := endSessions(ctx, tx, accountID, "", at); err != nil {
		return err
	}
	_, err := revokeFamilies(ctx, tx, `account_id = $2`, at, accountID)
	return err
}

// guardContexts are every context a guard of an address is kept in.
var guardContexts = []otpd.SignInContext{otpd.Familiar, otpd.Unfamiliar, otpd.Confirming}

// Unlock clears the account's guards, raised guard and campaign.
func (s *Store) Unlock(ctx context.Context, accountID string, ev otpd.Event) error {
	err := s.inTx(ctx, func(tx *txn) error {
		acct, err := s.lockAccount(ctx, tx, accountID)
		if err != nil {
			return err
		}
		for _, c := range guardContexts {
			key := otpd.GuardKey{Email: acct.Email, Context: c}
			if _, err := tx.ExecContext(ctx, `DELETE FROM guards WHERE guard_key = $1`, key.String()); err != nil {
				return fmt.Errorf("clear guard: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE accounts SET guard_until = 0, campaign_until = 0 WHERE id = $1`, accountID); err != nil {
			return fmt.Errorf("clear raised guard: %w", err)
		}
		ev.Type, ev.AccountID = otpd.EventAccountUnlocked, accountID
		return insertEvent(ctx, tx, ev)
	})
	if err != nil {
		return s.errorf("unlock account %s: %w", accountID, err)
	}
	return nil
}

// EventCounts returns what deleted accounts left of their events.
func (s *Store) EventCounts(ctx context.Context) ([]otpd.EventCount, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT day, type, count FROM event_counts ORDER BY day, type`)
	cs, err := scanAll(rows, err, func(row scanner) (otpd.EventCount, error) {
		var c otpd.EventCount
		var typ string
		err := row.Scan(&c.Day, &typ, &c.Count)
		c.Type = otpd.EventType(typ)
		return c, err
	})
	if err != nil {
		return nil, s.errorf("event counts: %w", err)
	}
	return cs, nil
}

const adminTokenColumns = `id, name, scope, token_hash, created_at, revoked_at`

// SaveAdminToken keeps a new admin token.
func (s *Store) SaveAdminToken(ctx context.Context, t otpd.AdminToken) error {
	_, err := s.exec(ctx, `INSERT INTO admin_tokens (`+adminTokenColumns+`) VALUES ($1, $2, $3, $4, $5, $6)`,
		t.ID, t.Name, t.Scope, t.Hash, toMS(t.CreatedAt), nullMS(t.RevokedAt))
	if err != nil {
		return s.errorf("save admin token %s: %w", t.ID, err)
	}
	return nil
}

// AdminTokenByHash finds an admin token by its hash.
func (s *Store) AdminTokenByHash(ctx context.Context, hash []byte) (otpd.AdminToken, error) {
	t, err := scanAdminToken(s.db.QueryRowContext(ctx, `SELECT `+adminTokenColumns+` FROM admin_tokens WHERE token_hash = $1`, hash))
	if err != nil {
		return otpd.AdminToken{}, s.errorf("admin token by hash: %w", notFound(err))
	}
	return t, nil
}

// AdminTokens lists the admin tokens, oldest first.
func (s *Store) AdminTokens(ctx context.Context) ([]otpd.AdminToken, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+adminTokenColumns+` FROM admin_tokens ORDER BY created_at, id`)
	ts, err := scanAll(rows, err, scanAdminToken)
	if err != nil {
		return nil, s.errorf("admin tokens: %w", err)
	}
	return ts, nil
}

// RevokeAdminToken revokes a token that is not revoked yet.
func (s *Store) RevokeAdminToken(ctx context.Context, id string, at time.Time) error {
	err := affected(s.exec(ctx, `UPDATE admin_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL`, toMS(at), id))
	if err != nil {
		return s.errorf("revoke admin token %s: %w", id, err)
	}
	return nil
}

func scanAdminToken(row scanner) (otpd.AdminToken, error) {
	var t otpd.AdminToken
	var scope string
	var created int64
	var revoked sql.NullInt64
	if err := row.Scan(&t.ID, &t.Name, &scope, &t.Hash, &created, &revoked); err != nil {
		return otpd.AdminToken{}, err
	}
	t.Scope, t.CreatedAt, t.RevokedAt = otpd.AdminScope(scope), fromMS(created), fromNullMS(revoked)
	return t, nil
}
