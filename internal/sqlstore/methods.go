package sqlstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/otpd/otpd"
)

const methodColumns = `m.id, m.account_id, m.kind, m.created_at, m.last_used_at, m.secret, m.last_step,
	(SELECT COUNT(*) FROM recovery_codes r WHERE r.method_id = m.id AND r.used_at = 0)`

// Methods returns an account's methods, oldest first.
func (s *Store) Methods(ctx context.Context, accountID string) ([]otpd.Method, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+methodColumns+` FROM methods m
		WHERE m.account_id = $1 ORDER BY m.created_at, m.id`, accountID)
	if err != nil {
		return nil, s.errorf("methods of %s: %w", accountID, err)
	}
	defer rows.Close()
	var ms []otpd.Method
	for rows.Next() {
		m, err := scanMethod(rows)
		if err != nil {
			return nil, s.errorf("methods of %s: %w", accountID, err)
		}
		ms = append(ms, m)
	}
	if err := rows.Err(); err != nil {
		return nil, s.errorf("methods of %s: %w", accountID, err)
	}
	return ms, nil
}

func scanMethod(row scanner) (otpd.Method, error) {
	var m otpd.Method
	var created, used int64
	var kind string
	if err := row.Scan(&m.ID, &m.AccountID, &kind, &created, &used, &m.Secret, &m.LastStep, &m.CodesLeft); err != nil {
		return otpd.Method{}, err
	}
	m.Kind, m.CreatedAt, m.LastUsedAt = otpd.MethodKind(kind), fromMS(created), fromZeroMS(used)
	return m, nil
}

// AddMethod adds a method in place of the account's method of its kind.
func (s *Store) AddMethod(ctx context.Context, c otpd.MethodChange) error {
	m := c.Method
	err := s.inTx(ctx, func(tx *txn) error {
		if err := deleteMethod(ctx, tx, m.AccountID, m.Kind); err != nil && !errors.Is(err, otpd.ErrNotFound) {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO methods (id, account_id, kind, created_at, secret, last_step)
			VALUES ($1, $2, $3, $4, $5, $6)`, m.ID, m.AccountID, m.Kind, toMS(m.CreatedAt), m.Secret, m.LastStep); err != nil {
			return fmt.Errorf("insert method: %w", err)
		}
		for _, mac := range c.CodeMACs {
			if _, err := tx.ExecContext(ctx, `INSERT INTO recovery_codes (method_id, account_id, code_mac) VALUES ($1, $2, $3)`,
				m.ID, m.AccountID, mac); err != nil {
				return fmt.Errorf("insert recovery code: %w", err)
			}
		}
		return changed(ctx, tx, c.Event, c.Notice)
	})
	if err != nil {
		return s.errorf("add method %s for %s: %w", m.Kind, m.AccountID, err)
	}
	return nil
}

// RemoveMethod removes an account's method of kind k.
func (s *Store) RemoveMethod(ctx context.Context, accountID string, k otpd.MethodKind, ev otpd.Event, notice *otpd.OutboxMessage) error {
	err := s.inTx(ctx, func(tx *txn) error {
		if err := deleteMethod(ctx, tx, accountID, k); err != nil {
			return err
		}
		return changed(ctx, tx, ev, notice)
	})
	if err != nil {
		return s.errorf("remove method %s of %s: %w", k, accountID, err)
	}
	return nil
}

// deleteMethod deletes an account's method of kind k with its recovery
// codes; otpd.ErrNotFound when it has none.
func deleteMethod(ctx context.Context, tx *txn, accountID string, k otpd.MethodKind) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM recovery_codes WHERE method_id IN
		(SELECT id FROM methods WHERE account_id = $1 AND kind = $2)`, accountID, k); err != nil {
		return fmt.Errorf("delete recovery codes: %w", err)
	}
	return affected(tx.ExecContext(ctx, `DELETE FROM methods WHERE account_id = $1 AND kind = $2`, accountID, k))
}

// changed records a change's event and queues its notice.
func changed(ctx context.Context, tx *txn, ev otpd.Event, notice *otpd.OutboxMessage) error {
	if err := insertEvent(ctx, tx, ev); err != nil {
		return err
	}
	if notice != nil {
		return insertMessage(ctx, tx, *notice)
	}
	return nil
}

// consumeFactor spends a submitted factor, if it is right: an
// authenticator's step moves forward only past the last one accepted, and
// a recovery code is marked used only if it was not. Both are one
// conditional UPDATE, so of any number of concurrent submissions of the
// same code, on any number of nodes, one succeeds.
func consumeFactor(ctx context.Context, tx *txn, req otpd.FactorRequest) (bool, error) {
	var err error
	switch req.Kind {
	case otpd.MethodTOTP:
		if req.Step <= 0 {
			return false, nil
		}
		err = affected(tx.ExecContext(ctx, `UPDATE methods SET last_step = $1, last_used_at = $2
			WHERE account_id = $3 AND kind = $4 AND last_step < $1`, req.Step, toMS(req.Now), req.AccountID, otpd.MethodTOTP))
	case otpd.MethodRecoveryCodes:
		err = affected(tx.ExecContext(ctx, `UPDATE recovery_codes SET used_at = $1
			WHERE account_id = $2 AND code_mac = $3 AND used_at = 0`, toMS(req.Now), req.AccountID, req.CodeMAC))
		if err == nil {
			_, err = tx.ExecContext(ctx, `UPDATE methods SET last_used_at = $1 WHERE account_id = $2 AND kind = $3`,
				toMS(req.Now), req.AccountID, otpd.MethodRecoveryCodes)
		}
	default:
		return false, fmt.Errorf("unknown method %q", req.Kind)
	}
	if errors.Is(err, otpd.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("consume %s: %w", req.Kind, err)
	}
	return true, nil
}
