package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/otpd/otpd"
)

// ReserveAttempt counts a password attempt before it is checked, in one
// transaction that holds the address's lock, which orders it with every
// verify of the address's codes.
func (s *Store) ReserveAttempt(ctx context.Context, key otpd.GuardKey, now time.Time, lim otpd.GuessLimits) (otpd.Attempt, error) {
	defer s.observe(opReserveAttempt, time.Now())
	var a otpd.Attempt
	err := s.changeGuard(ctx, key, func(g otpd.Guard) (next otpd.Guard, save bool) {
		next, a = g.Reserve(now, lim)
		return next, a.RetryAfter == 0
	})
	if err != nil {
		return otpd.Attempt{}, s.errorf("reserve attempt %s: %w", key, err)
	}
	return a, nil
}

// ForgiveAttempt takes back a reserved attempt.
func (s *Store) ForgiveAttempt(ctx context.Context, key otpd.GuardKey, a otpd.Attempt) error {
	err := s.changeGuard(ctx, key, func(g otpd.Guard) (otpd.Guard, bool) { return g.Forgive(a), true })
	if err != nil {
		return s.errorf("forgive attempt %s: %w", key, err)
	}
	return nil
}

// changeGuard loads a guard and saves what change makes of it, unless
// change says not to, in one transaction that holds the address's lock.
func (s *Store) changeGuard(ctx context.Context, key otpd.GuardKey, change func(otpd.Guard) (next otpd.Guard, save bool)) error {
	return s.inTx(ctx, func(tx *txn) error {
		if err := s.lockAddress(ctx, tx, key.Email.Key()); err != nil {
			return err
		}
		g, err := loadGuard(ctx, tx, key)
		if err != nil {
			return err
		}
		if next, save := change(g); save {
			return saveGuard(ctx, tx, key, next)
		}
		return nil
	})
}

// loadGuard reads a guard; the caller holds the address's lock, so the
// guard cannot change before the caller's update.
func loadGuard(ctx context.Context, tx *txn, key otpd.GuardKey) (otpd.Guard, error) {
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
	g.WindowStart, g.LockedUntil = fromMS(start), fromZeroMS(locked)
	return g, nil
}

// saveGuard writes a guard, as loadGuard's caller decided it.
func saveGuard(ctx context.Context, tx *txn, key otpd.GuardKey, g otpd.Guard) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO guards (guard_key, wrong_count, window_start, locked_until)
		VALUES ($1, $2, $3, $4)
		ON CONFLICT (guard_key) DO UPDATE SET wrong_count = excluded.wrong_count,
		    window_start = excluded.window_start, locked_until = excluded.locked_until`,
		key.String(), g.Wrong, toMS(g.WindowStart), zeroMS(g.LockedUntil))
	if err != nil {
		return fmt.Errorf("save guard: %w", err)
	}
	return nil
}
