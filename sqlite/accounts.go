package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/internal/sqlstore"
)

const accountColumns = `id, email, created_at, password_hash, guard_until, last_signin_at, last_place, countries, code_sign_in_off,
	recovery_email, campaign_id, campaign_until, prev_signin_at`

func accountByKey(ctx context.Context, q sqlstore.Queryer, key string) (otpd.Account, error) {
	a, err := scanAccount(q.QueryRowContext(ctx,
		`SELECT `+accountColumns+` FROM accounts WHERE email_key = ?`, key))
	return a, sqlstore.NotFound(err)
}

// accountIDByKey is the account an address belongs to, or "" when it has
// none yet: events about such an address are attached when it gets one.
func accountIDByKey(ctx context.Context, tx *sql.Tx, key string) (string, error) {
	var id string
	err := tx.QueryRowContext(ctx, `SELECT id FROM accounts WHERE email_key = ?`, key).Scan(&id)
	if err == sql.ErrNoRows {
		return "", nil
	}
	return id, err
}

// createAccount inserts an account and attaches the events recorded about
// its address before it existed, so that its owner sees who asked for
// codes before the account was made.
func createAccount(ctx context.Context, tx *sql.Tx, id string, email otpd.Address, at time.Time) (otpd.Account, error) {
	if _, err := tx.ExecContext(ctx,
		`INSERT INTO accounts (id, email, email_key, created_at) VALUES (?, ?, ?, ?)`,
		id, email.String(), email.Key(), sqlstore.MS(at)); err != nil {
		return otpd.Account{}, fmt.Errorf("create account: %w", err)
	}
	if _, err := tx.ExecContext(ctx,
		`UPDATE events SET account_id = ? WHERE account_id IS NULL AND email_key = ?`,
		id, email.Key()); err != nil {
		return otpd.Account{}, fmt.Errorf("attach events: %w", err)
	}
	return otpd.Account{ID: id, Email: email, CreatedAt: sqlstore.FromMS(sqlstore.MS(at))}, nil
}

func scanAccount(row sqlstore.Scanner) (otpd.Account, error) {
	var (
		a                         otpd.Account
		email, place, countries   string
		recovery                  string
		campaignUntil, prevLogin  int64
		created, guard, lastLogin int64
	)
	if err := row.Scan(&a.ID, &email, &created, &a.PasswordHash, &guard, &lastLogin, &place, &countries, &a.CodeSignInOff, &recovery,
		&a.Campaign.ID, &campaignUntil, &prevLogin); err != nil {
		return otpd.Account{}, err
	}
	addr, err := sqlstore.ParseAddress(email)
	if err != nil {
		return otpd.Account{}, err
	}
	if a.LastPlace, err = sqlstore.ParsePlace(place); err != nil {
		return otpd.Account{}, err
	}
	a.Email, a.CreatedAt = addr, sqlstore.FromMS(created)
	a.GuardUntil, a.LastSignInAt = sqlstore.FromZeroMS(guard), sqlstore.FromZeroMS(lastLogin)
	a.PrevSignInAt = sqlstore.FromZeroMS(prevLogin)
	a.Countries = sqlstore.ParseCountries(countries)
	a.Campaign.AccountID, a.Campaign.Until = a.ID, sqlstore.FromZeroMS(campaignUntil)
	if a.RecoveryEmail, err = sqlstore.ParseAddress(recovery); err != nil {
		return otpd.Account{}, err
	}
	return a, nil
}
