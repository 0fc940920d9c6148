package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/otpd/otpd"
)

// insertAccess inserts an access token of family f.
func insertAccess(ctx context.Context, tx *txn, f otpd.TokenFamily, a otpd.AccessToken, scopes []string, now time.Time) (otpd.AccessToken, error) {
	a.FamilyID, a.AccountID, a.ClientID, a.Scopes, a.CreatedAt = f.ID, f.AccountID, f.ClientID, scopes, now
	_, err := tx.ExecContext(ctx, `INSERT INTO oidc_access_tokens (id, family_id, scopes, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5)`, a.ID, f.ID, listText(scopes), toMS(now), toMS(a.ExpiresAt))
	if err != nil {
		return otpd.AccessToken{}, fmt.Errorf("insert access token: %w", err)
	}
	return a, nil
}

// insertRefresh inserts a refresh token of family f, expiring no later
// than the family.
func insertRefresh(ctx context.Context, tx *txn, f otpd.TokenFamily, r otpd.RefreshToken, scopes []string, now time.Time) (otpd.RefreshToken, error) {
	if len(r.Hash) == 0 {
		return otpd.RefreshToken{}, errors.New("insert refresh token: empty hash")
	}
	if r.ExpiresAt.After(f.ExpiresAt) {
		r.ExpiresAt = f.ExpiresAt
	}
	r.FamilyID, r.AccountID, r.ClientID, r.Scopes, r.CreatedAt = f.ID, f.AccountID, f.ClientID, scopes, now
	r.AuthTime, r.AMR = f.AuthTime, f.AMR
	_, err := tx.ExecContext(ctx, `INSERT INTO oidc_refresh_tokens (id, token_hash, family_id, scopes, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, r.ID, r.Hash, f.ID, listText(scopes), toMS(now), toMS(r.ExpiresAt))
	if err != nil {
		return otpd.RefreshToken{}, fmt.Errorf("insert refresh token: %w", err)
	}
	return r, nil
}

const familyColumns = `f.id, f.account_id, f.client_id, f.session_id, f.auth_request_id, f.scopes, f.auth_time, f.amr,
	f.created_at, f.expires_at, f.revoked_at`

const refreshColumns = `t.id, t.token_hash, t.scopes, t.created_at, t.expires_at, t.used_at, ` + familyColumns

// RefreshToken returns a refresh token by its hash, with its family.
func (s *Store) RefreshToken(ctx context.Context, hash []byte) (otpd.RefreshToken, error) {
	rt, err := scanRefresh(s.db.QueryRowContext(ctx, `SELECT `+refreshColumns+`
		FROM oidc_refresh_tokens t JOIN oidc_token_families f ON f.id = t.family_id WHERE t.token_hash = $1`, hash))
	if err != nil {
		return otpd.RefreshToken{}, s.errorf("refresh token: %w", notFound(err))
	}
	return rt, nil
}

// RotateRefreshToken locks the grant, the family and the token, in that
// order, then decides: a spent token is reuse, which revokes the family
// (committed, though the call fails); an unspent one is spent and
// replaced.
func (s *Store) RotateRefreshToken(ctx context.Context, r otpd.RotateRequest) (otpd.Issued, error) {
	var (
		issued  otpd.Issued
		outcome error
	)
	err := s.inTx(ctx, func(tx *txn) error {
		// Read first without locks, to learn whose grant to lock.
		seen, err := scanRefresh(tx.QueryRowContext(ctx, `SELECT `+refreshColumns+`
			FROM oidc_refresh_tokens t JOIN oidc_token_families f ON f.id = t.family_id WHERE t.token_hash = $1`, r.Hash))
		if err != nil {
			return notFound(err)
		}
		if seen.ClientID != r.ClientID {
			return otpd.ErrNotFound
		}
		g, err := s.lockGrant(ctx, tx, seen.AccountID, seen.ClientID)
		if err != nil {
			return err
		}
		f, err := scanFamily(tx.QueryRowContext(ctx, s.rowLocked(`SELECT `+familyColumns+`
			FROM oidc_token_families f WHERE f.id = $1`, "FOR UPDATE"), seen.FamilyID))
		if err != nil {
			return err
		}
		// The token as it is once its lock is ours: a rotation that
		// held it before us has spent it.
		var used sql.NullInt64
		if err := tx.QueryRowContext(ctx, s.rowLocked(`SELECT used_at FROM oidc_refresh_tokens WHERE id = $1`, "FOR UPDATE"),
			seen.ID).Scan(&used); err != nil {
			return err
		}
		rt := seen
		if used.Valid {
			outcome = otpd.ErrTokenReused
			return revokeReused(ctx, tx, `id = $2`, r.Now, r.Event, f.AccountID, otpd.ReasonRefreshReused, f.ID)
		}
		if !f.RevokedAt.IsZero() || !r.Now.Before(rt.ExpiresAt) || !g.Covers(r.Scopes) {
			return otpd.ErrNotFound
		}
		if err := affected(tx.ExecContext(ctx, `UPDATE oidc_refresh_tokens SET used_at = $1 WHERE id = $2 AND used_at IS NULL`,
			toMS(r.Now), rt.ID)); err != nil {
			return err
		}
		if r.Access.ExpiresAt.After(f.ExpiresAt) {
			if _, err := tx.ExecContext(ctx, `UPDATE oidc_token_families SET expires_at = $1 WHERE id = $2`,
				toMS(r.Access.ExpiresAt), f.ID); err != nil {
				return err
			}
		}
		issued.Family = f
		if issued.Access, err = insertAccess(ctx, tx, f, r.Access, r.Scopes, r.Now); err != nil {
			return err
		}
		next, err := insertRefresh(ctx, tx, f, r.Next, r.Scopes, r.Now)
		if err != nil {
			return err
		}
		issued.Refresh = &next
		return touchGrant(ctx, tx, f, r.Now)
	})
	if err == nil {
		err = outcome
	}
	if err != nil {
		return otpd.Issued{}, s.errorf("rotate refresh token: %w", err)
	}
	return issued, nil
}

// AccessToken returns an access token that is active at now.
func (s *Store) AccessToken(ctx context.Context, id string, now time.Time) (otpd.AccessToken, error) {
	var (
		a                otpd.AccessToken
		scopes           string
		created, expires int64
	)
	err := s.db.QueryRowContext(ctx, `SELECT a.id, a.family_id, f.account_id, f.client_id, a.scopes, a.created_at, a.expires_at
		FROM oidc_access_tokens a
		JOIN oidc_token_families f ON f.id = a.family_id
		JOIN oidc_grants g ON g.account_id = f.account_id AND g.client_id = f.client_id
		WHERE a.id = $1 AND a.revoked_at IS NULL AND f.revoked_at IS NULL AND a.expires_at > $2`, id, toMS(now)).
		Scan(&a.ID, &a.FamilyID, &a.AccountID, &a.ClientID, &scopes, &created, &expires)
	if err == nil {
		a.Scopes, err = parseList(scopes)
	}
	if err != nil {
		return otpd.AccessToken{}, s.errorf("access token: %w", notFound(err))
	}
	a.CreatedAt, a.ExpiresAt = fromMS(created), fromMS(expires)
	return a, nil
}

// RevokeToken revokes an app's refresh token's family, or one access
// token, by ID.
func (s *Store) RevokeToken(ctx context.Context, clientID, id string, at time.Time) error {
	err := s.inTx(ctx, func(tx *txn) error {
		var familyID string
		err := tx.QueryRowContext(ctx, `SELECT t.family_id FROM oidc_refresh_tokens t
			JOIN oidc_token_families f ON f.id = t.family_id WHERE t.id = $1 AND f.client_id = $2`, id, clientID).Scan(&familyID)
		if err == nil {
			_, err = revokeFamilies(ctx, tx, `id = $2`, at, familyID)
			return err
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		return affected(tx.ExecContext(ctx, `UPDATE oidc_access_tokens SET revoked_at = $1
			WHERE id = $2 AND revoked_at IS NULL AND family_id IN (SELECT id FROM oidc_token_families WHERE client_id = $3)`,
			toMS(at), id, clientID))
	})
	if err != nil {
		return s.errorf("revoke token of %s: %w", clientID, err)
	}
	return nil
}

// familyFields holds a family's columns, as familyColumns lists them,
// while a row is scanned.
type familyFields struct {
	f                          otpd.TokenFamily
	scopes, amr                string
	authTime, created, expires int64
	revoked                    sql.NullInt64
}

func (ff *familyFields) dest() []any {
	return []any{&ff.f.ID, &ff.f.AccountID, &ff.f.ClientID, &ff.f.SessionID, &ff.f.AuthRequestID, &ff.scopes,
		&ff.authTime, &ff.amr, &ff.created, &ff.expires, &ff.revoked}
}

func (ff *familyFields) family() (otpd.TokenFamily, error) {
	f := ff.f
	var errs [2]error
	f.Scopes, errs[0] = parseList(ff.scopes)
	f.AMR, errs[1] = parseList(ff.amr)
	if err := errors.Join(errs[:]...); err != nil {
		return otpd.TokenFamily{}, fmt.Errorf("token family %s: %w", f.ID, err)
	}
	f.AuthTime, f.CreatedAt, f.ExpiresAt, f.RevokedAt = fromMS(ff.authTime), fromMS(ff.created), fromMS(ff.expires), fromNullMS(ff.revoked)
	return f, nil
}

func scanFamily(row scanner) (otpd.TokenFamily, error) {
	var ff familyFields
	if err := row.Scan(ff.dest()...); err != nil {
		return otpd.TokenFamily{}, err
	}
	return ff.family()
}

// scanRefresh scans refreshColumns: a token with what it carries of its
// family (account, app, authentication, revocation).
func scanRefresh(row scanner) (otpd.RefreshToken, error) {
	var (
		rt               otpd.RefreshToken
		scopes           string
		created, expires int64
		used             sql.NullInt64
		ff               familyFields
	)
	if err := row.Scan(append([]any{&rt.ID, &rt.Hash, &scopes, &created, &expires, &used}, ff.dest()...)...); err != nil {
		return otpd.RefreshToken{}, err
	}
	f, err := ff.family()
	if err != nil {
		return otpd.RefreshToken{}, err
	}
	if rt.Scopes, err = parseList(scopes); err != nil {
		return otpd.RefreshToken{}, fmt.Errorf("refresh token %s: %w", rt.ID, err)
	}
	rt.CreatedAt, rt.ExpiresAt, rt.UsedAt = fromMS(created), fromMS(expires), fromNullMS(used)
	rt.FamilyID, rt.AccountID, rt.ClientID, rt.AuthTime, rt.AMR, rt.RevokedAt = f.ID, f.AccountID, f.ClientID, f.AuthTime, f.AMR, f.RevokedAt
	return rt, nil
}
