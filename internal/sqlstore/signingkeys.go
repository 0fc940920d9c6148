package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/otpd/otpd"
)

const keyColumns = `id, alg, sealed, public_jwk, created_at, signs_from, expires_at`

// SigningKeys returns the keys published at now, newest first.
func (s *Store) SigningKeys(ctx context.Context, now time.Time) ([]otpd.SigningKey, error) {
	keys, err := publishedKeys(ctx, s.db, now)
	if err != nil {
		return nil, s.errorf("signing keys: %w", err)
	}
	return keys, nil
}

// querier is what publishedKeys needs, on the pool or in a transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func publishedKeys(ctx context.Context, q querier, now time.Time) ([]otpd.SigningKey, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+keyColumns+` FROM oidc_signing_keys
		WHERE expires_at IS NULL OR expires_at > $1 ORDER BY created_at DESC, id DESC`, toMS(now))
	return scanAll(rows, err, scanKey)
}

// EnsureSigningKey inserts candidate when no published key signs at now,
// under the keys' lock (on SQLite, the write lock every transaction takes
// at BEGIN), so that of nodes starting at once one inserts and the others
// read its key.
func (s *Store) EnsureSigningKey(ctx context.Context, candidate otpd.SigningKey, now time.Time) ([]otpd.SigningKey, error) {
	var keys []otpd.SigningKey
	err := s.inTx(ctx, func(tx *txn) error {
		if err := s.lockKeys(ctx, tx); err != nil {
			return err
		}
		var err error
		if keys, err = publishedKeys(ctx, tx, now); err != nil {
			return err
		}
		if _, ok := otpd.Signing(keys, now); ok {
			return nil
		}
		if err := insertKey(ctx, tx, candidate); err != nil {
			return err
		}
		keys, err = publishedKeys(ctx, tx, now)
		return err
	})
	if err != nil {
		return nil, s.errorf("ensure signing key: %w", err)
	}
	return keys, nil
}

// RotateSigningKey inserts next when the newest key is older than every,
// and sets every key without an end to expire keep after next starts
// signing. The decision and the change are one transaction under the
// keys' lock, so of nodes rotating at once one does.
func (s *Store) RotateSigningKey(ctx context.Context, next otpd.SigningKey, now time.Time, every, keep time.Duration) (bool, error) {
	rotated := false
	err := s.inTx(ctx, func(tx *txn) error {
		if err := s.lockKeys(ctx, tx); err != nil {
			return err
		}
		var newest sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT MAX(created_at) FROM oidc_signing_keys`).Scan(&newest); err != nil {
			return err
		}
		if newest.Valid && fromMS(newest.Int64).After(now.Add(-every)) {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE oidc_signing_keys SET expires_at = $1 WHERE expires_at IS NULL`,
			toMS(next.SignsFrom.Add(keep))); err != nil {
			return fmt.Errorf("expire the old keys: %w", err)
		}
		if err := insertKey(ctx, tx, next); err != nil {
			return err
		}
		rotated = true
		return nil
	})
	if err != nil {
		return false, s.errorf("rotate signing key: %w", err)
	}
	return rotated, nil
}

func (s *Store) lockKeys(ctx context.Context, tx *txn) error {
	if s.d.LockKeys == nil {
		return nil
	}
	if err := s.d.LockKeys(ctx, tx.Tx); err != nil {
		return fmt.Errorf("lock signing keys: %w", err)
	}
	return nil
}

func insertKey(ctx context.Context, tx *txn, k otpd.SigningKey) error {
	if len(k.Sealed) == 0 || len(k.Public) == 0 {
		return fmt.Errorf("signing key %s: sealed and public parts are required", k.ID)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO oidc_signing_keys (`+keyColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		k.ID, k.Alg, k.Sealed, k.Public, toMS(k.CreatedAt), toMS(k.SignsFrom), nullMS(k.ExpiresAt))
	if err != nil {
		return fmt.Errorf("insert signing key %s: %w", k.ID, err)
	}
	return nil
}

func scanKey(row scanner) (otpd.SigningKey, error) {
	var (
		k                  otpd.SigningKey
		created, signsFrom int64
		expires            sql.NullInt64
	)
	if err := row.Scan(&k.ID, &k.Alg, &k.Sealed, &k.Public, &created, &signsFrom, &expires); err != nil {
		return otpd.SigningKey{}, err
	}
	k.CreatedAt, k.SignsFrom, k.ExpiresAt = fromMS(created), fromMS(signsFrom), fromNullMS(expires)
	return k, nil
}
