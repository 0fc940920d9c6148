package sqlstore

import (
	"context"

	"github.com/otpd/otpd"
)

// SetPassword sets or removes a password, ends the sessions the change
// asks to end, records its event and queues its notice, in one
// transaction.
func (s *Store) SetPassword(ctx context.Context, req otpd.PasswordChange) error {
	err := s.inTx(ctx, func(tx *txn) error {
		if err := affected(tx.ExecContext(ctx, `UPDATE accounts SET password_hash = $1 WHERE id = $2`, req.Hash, req.AccountID)); err != nil {
			return err
		}
		if req.EndSessions {
			if err := endSessions(ctx, tx, req.AccountID, req.Keep, req.Event.At); err != nil {
				return err
			}
		}
		if req.Notice != nil {
			if err := insertMessage(ctx, tx, *req.Notice); err != nil {
				return err
			}
		}
		if req.Event.ID == "" {
			return nil
		}
		return insertEvent(ctx, tx, req.Event)
	})
	if err != nil {
		return s.errorf("set password of account %s: %w", req.AccountID, err)
	}
	return nil
}

// SetLanguage keeps the language an account chose, "" for none.
func (s *Store) SetLanguage(ctx context.Context, accountID, tag string) error {
	err := affected(s.db.ExecContext(ctx, `UPDATE accounts SET language = $1 WHERE id = $2`, tag, accountID))
	if err != nil {
		return s.errorf("set language of account %s: %w", accountID, err)
	}
	return nil
}

// SetCodeSignIn turns code-only sign-in on or off and records ev, in one
// transaction.
func (s *Store) SetCodeSignIn(ctx context.Context, accountID string, on bool, ev otpd.Event) error {
	err := s.changeRecorded(ctx, ev, `UPDATE accounts SET code_sign_in_off = $1 WHERE id = $2`, !on, accountID)
	if err != nil {
		return s.errorf("set code sign-in of account %s: %w", accountID, err)
	}
	return nil
}
