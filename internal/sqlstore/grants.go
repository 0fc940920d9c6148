package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/otpd/otpd"
)

const grantColumns = `account_id, client_id, scopes, granted_at, last_used_at`

// Grant returns an account's grant to an app.
func (s *Store) Grant(ctx context.Context, accountID, clientID string) (otpd.Grant, error) {
	g, err := scanGrant(s.db.QueryRowContext(ctx, `SELECT `+grantColumns+` FROM oidc_grants
		WHERE account_id = $1 AND client_id = $2`, accountID, clientID))
	if err != nil {
		return otpd.Grant{}, s.errorf("grant of account %s to %s: %w", accountID, clientID, notFound(err))
	}
	return g, nil
}

// Grants returns an account's grants, first granted first.
func (s *Store) Grants(ctx context.Context, accountID string) ([]otpd.Grant, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+grantColumns+` FROM oidc_grants
		WHERE account_id = $1 ORDER BY granted_at, client_id`, accountID)
	gs, err := scanAll(rows, err, scanGrant)
	if err != nil {
		return nil, s.errorf("grants of account %s: %w", accountID, err)
	}
	return gs, nil
}

// RevokeGrant deletes the grant, revokes the app's families for the
// account and records ev, in one transaction. The grant's row lock comes
// first, as on every path that issues tokens, so an issue in flight
// either finishes before (and its family is revoked here) or finds no
// grant.
func (s *Store) RevokeGrant(ctx context.Context, accountID, clientID string, ev otpd.Event) error {
	err := s.inTx(ctx, func(tx *txn) error {
		if _, err := s.lockGrant(ctx, tx, accountID, clientID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM oidc_grants WHERE account_id = $1 AND client_id = $2`, accountID, clientID); err != nil {
			return err
		}
		if _, err := revokeFamilies(ctx, tx, `account_id = $2 AND client_id = $3`, ev.At, accountID, clientID); err != nil {
			return err
		}
		ev.Type, ev.AccountID = otpd.EventAppRemoved, accountID
		return insertEvent(ctx, tx, ev)
	})
	if err != nil {
		return s.errorf("revoke grant of account %s to %s: %w", accountID, clientID, err)
	}
	return nil
}

// touchGrant moves the grant's last use forward, never back.
func touchGrant(ctx context.Context, tx *txn, f otpd.TokenFamily, at time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE oidc_grants SET last_used_at = $1
		WHERE account_id = $2 AND client_id = $3 AND last_used_at < $1`, toMS(at), f.AccountID, f.ClientID)
	if err != nil {
		return fmt.Errorf("touch grant: %w", err)
	}
	return nil
}

func scanGrant(row scanner) (otpd.Grant, error) {
	var (
		g        otpd.Grant
		scopes   string
		granted  int64
		lastUsed int64
	)
	if err := row.Scan(&g.AccountID, &g.ClientID, &scopes, &granted, &lastUsed); err != nil {
		return otpd.Grant{}, err
	}
	var err error
	if g.Scopes, err = parseList(scopes); err != nil {
		return otpd.Grant{}, fmt.Errorf("grant of %s to %s: %w", g.AccountID, g.ClientID, err)
	}
	g.GrantedAt, g.LastUsedAt = fromMS(granted), fromZeroMS(lastUsed)
	return g, nil
}
