package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/otpd/otpd"
)

const accountColumns = `id, email, created_at, password_hash, guard_until, last_signin_at, last_place, countries, code_sign_in_off,
	recovery_email, campaign_id, campaign_until, prev_signin_at, disabled_at, language`

// AccountByEmail finds an account by its address's Key, so a capital letter
// in the local part finds the same account.
func (s *Store) AccountByEmail(ctx context.Context, email otpd.Address) (otpd.Account, error) {
	a, err := accountByKey(ctx, s.db, email.Key())
	if err != nil {
		return otpd.Account{}, s.errorf("account by email: %w", err)
	}
	return a, nil
}

// AccountByID finds an account by its ID.
func (s *Store) AccountByID(ctx context.Context, id string) (otpd.Account, error) {
	a, err := scanAccount(s.db.QueryRowContext(ctx,
		`SELECT `+accountColumns+` FROM accounts WHERE id = $1`, id))
	if err != nil {
		return otpd.Account{}, s.errorf("account %s: %w", id, notFound(err))
	}
	return a, nil
}

func accountByKey(ctx context.Context, q queryer, key string) (otpd.Account, error) {
	a, err := scanAccount(q.QueryRowContext(ctx,
		`SELECT `+accountColumns+` FROM accounts WHERE email_key = $1`, key))
	return a, notFound(err)
}

// accountIDByKey is the account an address belongs to, or "" when it has
// none yet: events about such an address are attached when it gets one.
func accountIDByKey(ctx context.Context, tx *txn, key string) (string, error) {
	var id string
	err := tx.QueryRowContext(ctx, `SELECT id FROM accounts WHERE email_key = $1`, key).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return id, err
}

// createAccount inserts an account and attaches the events recorded about
// its address before it existed, so that its owner sees who asked for
// codes before the account was made. The caller holds the address's lock,
// so no request records an unattached event for it meanwhile.
func createAccount(ctx context.Context, tx *txn, id string, email otpd.Address, at time.Time) (otpd.Account, error) {
	if _, err := tx.ExecContext(ctx,
		`INSERT INTO accounts (id, email, email_key, created_at) VALUES ($1, $2, $3, $4)`,
		id, email.String(), email.Key(), toMS(at)); err != nil {
		return otpd.Account{}, fmt.Errorf("create account: %w", err)
	}
	if _, err := tx.ExecContext(ctx,
		`UPDATE events SET account_id = $1 WHERE account_id IS NULL AND email_key = $2`,
		id, email.Key()); err != nil {
		return otpd.Account{}, fmt.Errorf("attach events: %w", err)
	}
	return otpd.Account{ID: id, Email: email, CreatedAt: fromMS(toMS(at))}, nil
}

func scanAccount(row scanner) (otpd.Account, error) {
	var (
		a                         otpd.Account
		email, place, countries   string
		recovery                  string
		campaignUntil, prevLogin  int64
		disabled                  int64
		created, guard, lastLogin int64
	)
	if err := row.Scan(&a.ID, &email, &created, &a.PasswordHash, &guard, &lastLogin, &place, &countries, &a.CodeSignInOff, &recovery,
		&a.Campaign.ID, &campaignUntil, &prevLogin, &disabled, &a.Language); err != nil {
		return otpd.Account{}, err
	}
	addr, err := parseAddress(email)
	if err != nil {
		return otpd.Account{}, err
	}
	if a.LastPlace, err = parsePlace(place); err != nil {
		return otpd.Account{}, err
	}
	a.Email, a.CreatedAt = addr, fromMS(created)
	a.GuardUntil, a.LastSignInAt = fromZeroMS(guard), fromZeroMS(lastLogin)
	a.PrevSignInAt, a.DisabledAt = fromZeroMS(prevLogin), fromZeroMS(disabled)
	a.Countries = parseCountries(countries)
	a.Campaign.AccountID, a.Campaign.Until = a.ID, fromZeroMS(campaignUntil)
	if a.RecoveryEmail, err = parseAddress(recovery); err != nil {
		return otpd.Account{}, err
	}
	return a, nil
}

// RecordSignIn keeps where a sign-in came from.
func (s *Store) RecordSignIn(ctx context.Context, accountID string, at time.Time, place otpd.Place) error {
	err := s.inTx(ctx, func(tx *txn) error {
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
func (s *Store) recordSignIn(ctx context.Context, tx *txn, accountID string, at time.Time, place otpd.Place) error {
	var countries string
	err := tx.QueryRowContext(ctx, s.rowLocked(`SELECT countries FROM accounts WHERE id = $1`, `FOR UPDATE`), accountID).Scan(&countries)
	if err != nil {
		return notFound(err)
	}
	cs := addCountry(parseCountries(countries), place.Country)
	_, err = tx.ExecContext(ctx, `UPDATE accounts SET prev_signin_at = last_signin_at, last_signin_at = $1, last_place = $2,
		countries = $3 WHERE id = $4`,
		toMS(at), placeText(place), countriesText(cs), accountID)
	return err
}

// RaiseGuard makes an account's guard last at least until until.
func (s *Store) RaiseGuard(ctx context.Context, accountID string, until time.Time) error {
	err := affected(s.exec(ctx, `UPDATE accounts SET guard_until = `+s.d.Greatest+`(guard_until, $1) WHERE id = $2`,
		toMS(until), accountID))
	if err != nil {
		return s.errorf("raise guard of account %s: %w", accountID, err)
	}
	return nil
}
