package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/otpd/otpd"
)

// SetPassword sets or removes a password, ends the sessions the change
// asks to end, records its event and queues its notice, in one
// transaction.
func (s *Store) SetPassword(ctx context.Context, req otpd.PasswordChange) error {
	err := s.inTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE accounts SET password_hash = $1 WHERE id = $2`, req.Hash, req.AccountID)
		if err != nil {
			return err
		}
		if err := Affected(res); err != nil {
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

// EndSessions ends every active session of an account but keep and
// records ev, in one transaction, and says how many ended.
func (s *Store) EndSessions(ctx context.Context, accountID, keep string, ev otpd.Event) (int, error) {
	var n int64
	err := s.inTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE sessions SET ended_at = $1
			WHERE account_id = $2 AND id <> $3 AND ended_at IS NULL`, MS(ev.At), accountID, keep)
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil {
			return err
		}
		return insertEvent(ctx, tx, ev)
	})
	if err != nil {
		return 0, s.errorf("end sessions of account %s: %w", accountID, err)
	}
	return int(n), nil
}

// SetCodeSignIn turns code-only sign-in on or off and records ev, in one
// transaction.
func (s *Store) SetCodeSignIn(ctx context.Context, accountID string, on bool, ev otpd.Event) error {
	err := s.inTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE accounts SET code_sign_in_off = $1 WHERE id = $2`, !on, accountID)
		if err != nil {
			return err
		}
		if err := Affected(res); err != nil {
			return err
		}
		return insertEvent(ctx, tx, ev)
	})
	if err != nil {
		return s.errorf("set code sign-in of account %s: %w", accountID, err)
	}
	return nil
}

// endSessions ends every active session of an account but keep.
func endSessions(ctx context.Context, tx *Tx, accountID, keep string, at time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE sessions SET ended_at = $1
		WHERE account_id = $2 AND id <> $3 AND ended_at IS NULL`, MS(at), accountID, keep)
	if err != nil {
		return fmt.Errorf("end sessions: %w", err)
	}
	return nil
}

// StartSession creates a session and records its events in one
// transaction.
func (s *Store) StartSession(ctx context.Context, sess otpd.Session, evs []otpd.Event) error {
	err := s.inTx(ctx, func(tx *Tx) error {
		if err := insertSession(ctx, tx, sess); err != nil {
			return err
		}
		for _, ev := range evs {
			if err := insertEvent(ctx, tx, ev); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return s.errorf("start session of account %s: %w", sess.AccountID, err)
	}
	return nil
}

// RecordSignIn keeps where a sign-in came from.
func (s *Store) RecordSignIn(ctx context.Context, accountID string, at time.Time, place otpd.Place) error {
	err := s.inTx(ctx, func(tx *Tx) error {
		return s.recordSignIn(ctx, tx, accountID, at, place)
	})
	if err != nil {
		return s.errorf("record sign-in of account %s: %w", accountID, err)
	}
	return nil
}

// recordSignIn is RecordSignIn's work, in tx. The account's row is locked
// before its countries are read, so that two sign-ins from new countries
// at once both add theirs.
func (s *Store) recordSignIn(ctx context.Context, tx *Tx, accountID string, at time.Time, place otpd.Place) error {
	var countries string
	err := tx.QueryRowContext(ctx, s.rowLocked(`SELECT countries FROM accounts WHERE id = $1`, `FOR UPDATE`), accountID).Scan(&countries)
	if err != nil {
		return NotFound(err)
	}
	cs := AddCountry(ParseCountries(countries), place.Country)
	_, err = tx.ExecContext(ctx, `UPDATE accounts SET prev_signin_at = last_signin_at, last_signin_at = $1, last_place = $2,
		countries = $3 WHERE id = $4`,
		MS(at), PlaceText(place), CountriesText(cs), accountID)
	return err
}

// RaiseGuard makes an account's guard last at least until until.
func (s *Store) RaiseGuard(ctx context.Context, accountID string, until time.Time) error {
	res, err := s.exec(ctx, `UPDATE accounts SET guard_until = `+s.d.Greatest+`(guard_until, $1) WHERE id = $2`,
		MS(until), accountID)
	if err == nil {
		err = Affected(res)
	}
	if err != nil {
		return s.errorf("raise guard of account %s: %w", accountID, err)
	}
	return nil
}

// ReserveAttempt counts a password attempt before it is checked, in one
// transaction that holds the address's lock, which orders it with every
// verify of the address's codes.
func (s *Store) ReserveAttempt(ctx context.Context, key otpd.GuardKey, now time.Time, lim otpd.GuessLimits) (otpd.Attempt, error) {
	var a otpd.Attempt
	err := s.inTx(ctx, func(tx *Tx) error {
		if err := s.lockAddress(ctx, tx, key.Email.Key()); err != nil {
			return err
		}
		g, err := loadGuard(ctx, tx, key)
		if err != nil {
			return err
		}
		var next otpd.Guard
		if next, a = g.Reserve(now, lim); a.RetryAfter > 0 {
			return nil
		}
		return saveGuard(ctx, tx, key, next)
	})
	if err != nil {
		return otpd.Attempt{}, s.errorf("reserve attempt %s: %w", key, err)
	}
	return a, nil
}

// ForgiveAttempt takes back a reserved attempt.
func (s *Store) ForgiveAttempt(ctx context.Context, key otpd.GuardKey, a otpd.Attempt) error {
	err := s.inTx(ctx, func(tx *Tx) error {
		if err := s.lockAddress(ctx, tx, key.Email.Key()); err != nil {
			return err
		}
		g, err := loadGuard(ctx, tx, key)
		if err != nil {
			return err
		}
		return saveGuard(ctx, tx, key, g.Forgive(a))
	})
	if err != nil {
		return s.errorf("forgive attempt %s: %w", key, err)
	}
	return nil
}

// loadGuard reads a guard; the caller holds the address's lock, so the
// guard cannot change before the caller's update.
func loadGuard(ctx context.Context, tx *Tx, key otpd.GuardKey) (otpd.Guard, error) {
	var g otpd.Guard
	var start, locked int64
	err := tx.QueryRowContext(ctx, `SELECT wrong_count, window_start, locked_until FROM guards WHERE guard_key = $1`,
		key.String()).Scan(&g.Wrong, &start, &locked)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return otpd.Guard{}, nil
	case err != nil:
		return otpd.Guard{}, fmt.Errorf("load guard: %w", err)
	}
	g.WindowStart, g.LockedUntil = FromMS(start), FromZeroMS(locked)
	return g, nil
}

func saveGuard(ctx context.Context, tx *Tx, key otpd.GuardKey, g otpd.Guard) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO guards (guard_key, wrong_count, window_start, locked_until)
		VALUES ($1, $2, $3, $4)
		ON CONFLICT (guard_key) DO UPDATE SET wrong_count = excluded.wrong_count,
		    window_start = excluded.window_start, locked_until = excluded.locked_until`,
		key.String(), g.Wrong, MS(g.WindowStart), ZeroMS(g.LockedUntil))
	if err != nil {
		return fmt.Errorf("save guard: %w", err)
	}
	return nil
}
