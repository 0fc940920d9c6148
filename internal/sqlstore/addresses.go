package sqlstore

import (
	"context"
	"fmt"

	"github.com/otpd/otpd"
)

// changeEmail moves an account to the address its change-of-address code
// was sent to, keeps the change for its undo link, and tells the old
// address.
func changeEmail(ctx context.Context, tx *txn, req otpd.VerifyRequest, c otpd.Challenge, acct otpd.Account) (otpd.Account, error) {
	if err := addressFree(ctx, tx, c.Email, acct.ID); err != nil {
		return otpd.Account{}, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE accounts SET email = $1, email_key = $2 WHERE id = $3`,
		c.Email.String(), c.Email.Key(), acct.ID); err != nil {
		return otpd.Account{}, fmt.Errorf("change address: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO email_changes (id, account_id, old_email, new_email, changed_at, undo_until)
		VALUES ($1, $2, $3, $4, $5, $6)`, c.ID, acct.ID, acct.Email.String(), c.Email.String(), toMS(req.Now), toMS(req.UndoUntil)); err != nil {
		return otpd.Account{}, fmt.Errorf("keep address change: %w", err)
	}
	if req.Notice != nil {
		if err := insertMessage(ctx, tx, *req.Notice); err != nil {
			return otpd.Account{}, err
		}
	}
	old := acct.Email
	acct.Email = c.Email
	return acct, recordVerify(ctx, tx, req, c, otpd.EventEmailChanged, acct.ID, old.Masked()+" to "+c.Email.Masked())
}

// addressFree returns ErrAddressTaken when an account other than
// accountID has addr.
func addressFree(ctx context.Context, tx *txn, addr otpd.Address, accountID string) error {
	owner, err := accountIDByKey(ctx, tx, addr.Key())
	if err != nil {
		return fmt.Errorf("address owner: %w", err)
	}
	if owner != "" && owner != accountID {
		return otpd.ErrAddressTaken
	}
	return nil
}

// addRecovery makes the challenge's address the account's recovery
// address.
func addRecovery(ctx context.Context, tx *txn, req otpd.VerifyRequest, c otpd.Challenge, acct otpd.Account) (otpd.Account, error) {
	if _, err := tx.ExecContext(ctx, `UPDATE accounts SET recovery_email = $1 WHERE id = $2`, c.Email.String(), acct.ID); err != nil {
		return otpd.Account{}, fmt.Errorf("add recovery address: %w", err)
	}
	acct.RecoveryEmail = c.Email
	return acct, recordVerify(ctx, tx, req, c, otpd.EventRecoveryAdded, acct.ID, c.Email.Masked())
}

// UndoEmailChange moves an account back to its old address. The change's
// row is locked, so two clicks undo once, and so is the old address, so
// no sign-up can take it meanwhile.
func (s *Store) UndoEmailChange(ctx context.Context, challengeID string, ev otpd.Event) (otpd.Account, error) {
	var acct otpd.Account
	err := s.inTx(ctx, func(tx *txn) error {
		var accountID, old string
		var until int64
		err := tx.QueryRowContext(ctx, s.rowLocked(`SELECT account_id, old_email, undo_until FROM email_changes
			WHERE id = $1 AND undone_at IS NULL`, `FOR UPDATE`), challengeID).Scan(&accountID, &old, &until)
		if err != nil {
			return notFound(err)
		}
		if !ev.At.Before(fromMS(until)) {
			return otpd.ErrNotFound
		}
		addr, err := parseAddress(old)
		if err != nil {
			return err
		}
		if err := s.lockAddress(ctx, tx, addr.Key()); err != nil {
			return err
		}
		if err := addressFree(ctx, tx, addr, accountID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE accounts SET email = $1, email_key = $2 WHERE id = $3`,
			addr.String(), addr.Key(), accountID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE email_changes SET undone_at = $1 WHERE id = $2`, toMS(ev.At), challengeID); err != nil {
			return err
		}
		if err := endSessions(ctx, tx, accountID, "", ev.At); err != nil {
			return err
		}
		ev.Type, ev.AccountID, ev.Email = otpd.EventEmailChangeUndone, accountID, addr
		if err := insertEvent(ctx, tx, ev); err != nil {
			return err
		}
		acct, err = scanAccount(tx.QueryRowContext(ctx, `SELECT `+accountColumns+` FROM accounts WHERE id = $1`, accountID))
		return err
	})
	if err != nil {
		return otpd.Account{}, s.errorf("undo address change %s: %w", challengeID, err)
	}
	return acct, nil
}

// RemoveRecovery removes an account's recovery address.
func (s *Store) RemoveRecovery(ctx context.Context, accountID string, ev otpd.Event) error {
	err := s.changeRecorded(ctx, ev, `UPDATE accounts SET recovery_email = '' WHERE id = $1 AND recovery_email <> ''`, accountID)
	if err != nil {
		return s.errorf("remove recovery address of account %s: %w", accountID, err)
	}
	return nil
}
