package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/otpd/otpd"
)

const appColumns = `id, name, public, secret_hash, redirect_uris, post_logout_uris, scopes, logo_url, created_at`

// SaveApp inserts an app. The ID's uniqueness is the primary key's: two
// nodes adding one ID at once insert one row, and the other gets
// ErrAppExists.
func (s *Store) SaveApp(ctx context.Context, app otpd.App) error {
	err := s.inTx(ctx, func(tx *txn) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM oidc_apps WHERE id = $1`, app.ID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return otpd.ErrAppExists
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO oidc_apps (`+appColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			app.ID, app.Name, app.Public, app.SecretHash, listText(app.RedirectURIs), listText(app.PostLogoutURIs),
			listText(app.Scopes), app.LogoURL, toMS(app.CreatedAt))
		return err
	})
	if err != nil {
		return s.errorf("save app %s: %w", app.ID, err)
	}
	return nil
}

// App returns a stored app.
func (s *Store) App(ctx context.Context, id string) (otpd.App, error) {
	app, err := scanApp(s.db.QueryRowContext(ctx, `SELECT `+appColumns+` FROM oidc_apps WHERE id = $1`, id))
	if err != nil {
		return otpd.App{}, s.errorf("app %s: %w", id, notFound(err))
	}
	return app, nil
}

// Apps returns every stored app, by ID.
func (s *Store) Apps(ctx context.Context) ([]otpd.App, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+appColumns+` FROM oidc_apps ORDER BY id`)
	apps, err := scanAll(rows, err, scanApp)
	if err != nil {
		return nil, s.errorf("apps: %w", err)
	}
	return apps, nil
}

// SetAppSecret replaces a confidential app's secret hash; a public app
// has none to replace (ErrNotFound).
func (s *Store) SetAppSecret(ctx context.Context, id string, hash []byte) error {
	if len(hash) == 0 {
		return s.errorf("set secret of app %s: empty hash", id)
	}
	err := affected(s.exec(ctx, `UPDATE oidc_apps SET secret_hash = $1 WHERE id = $2 AND NOT public`, hash, id))
	if err != nil {
		return s.errorf("set secret of app %s: %w", id, err)
	}
	return nil
}

// RemoveApp removes an app with its grants, revokes every token family
// it holds, and deletes its requests whose code was not redeemed, in one
// transaction.
func (s *Store) RemoveApp(ctx context.Context, id string, at time.Time) error {
	err := s.inTx(ctx, func(tx *txn) error {
		if err := affected(tx.ExecContext(ctx, `DELETE FROM oidc_apps WHERE id = $1`, id)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM oidc_grants WHERE client_id = $1`, id); err != nil {
			return fmt.Errorf("grants: %w", err)
		}
		if _, err := revokeFamilies(ctx, tx, `client_id = $2`, at, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM oidc_auth_requests WHERE client_id = $1 AND redeemed_at IS NULL`, id); err != nil {
			return fmt.Errorf("requests: %w", err)
		}
		return nil
	})
	if err != nil {
		return s.errorf("remove app %s: %w", id, err)
	}
	return nil
}

// revokeFamilies revokes, at at, the live token families that where (a
// condition on oidc_token_families whose arguments start at $2) selects,
// and their access tokens, and says how many families it revoked.
// Refresh tokens need no mark: a token of a revoked family is refused by
// its family.
func revokeFamilies(ctx context.Context, tx *txn, where string, at time.Time, args ...any) (int64, error) {
	all := append([]any{toMS(at)}, args...)
	if _, err := tx.ExecContext(ctx, `UPDATE oidc_access_tokens SET revoked_at = $1
		WHERE revoked_at IS NULL AND family_id IN (
			SELECT id FROM oidc_token_families WHERE revoked_at IS NULL AND `+where+`)`, all...); err != nil {
		return 0, fmt.Errorf("revoke access tokens: %w", err)
	}
	res, err := tx.ExecContext(ctx, `UPDATE oidc_token_families SET revoked_at = $1
		WHERE revoked_at IS NULL AND `+where, all...)
	if err != nil {
		return 0, fmt.Errorf("revoke token families: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("revoke token families: %w", err)
	}
	return n, nil
}

func scanApp(row scanner) (otpd.App, error) {
	var (
		app                      otpd.App
		redirect, logout, scopes string
		created                  int64
	)
	if err := row.Scan(&app.ID, &app.Name, &app.Public, &app.SecretHash, &redirect, &logout, &scopes,
		&app.LogoURL, &created); err != nil {
		return otpd.App{}, err
	}
	var errs [3]error
	app.RedirectURIs, errs[0] = parseList(redirect)
	app.PostLogoutURIs, errs[1] = parseList(logout)
	app.Scopes, errs[2] = parseList(scopes)
	if err := errors.Join(errs[:]...); err != nil {
		return otpd.App{}, fmt.Errorf("app %s: %w", app.ID, err)
	}
	app.CreatedAt = fromMS(created)
	return app, nil
}
