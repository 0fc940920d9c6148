package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/internal/sqlstore"
)

const accountColumns = `id, email, created_at, password_hash, guard_until, last_signin_at, last_place, countries, code_sign_in_off,
	recovery_email, campaign_id, campaign_until, prev_signin_at`

// AccountByEmail finds an account by its address's Key, so a capital letter
// in the local part finds the same account.
func (s *Store) AccountByEmail(ctx context.Context, email otpd.Address) (otpd.Account, error) {
	a, err := accountByKey(ctx, s.db, email.Key())
	if err != nil {
		return otpd.Account{}, fmt.Errorf("postgres: account by email: %w", err)
	}
	return a, nil
}

// AccountByID finds an account by its ID.
func (s *Store) AccountByID(ctx context.Context, id string) (otpd.Account, error) {
	a, err := scanAccount(s.db.QueryRowContext(ctx,
		`SELECT `+accountColumns+` FROM accounts WHERE id = $1`, id))
	if err != nil {
		return otpd.Account{}, fmt.Errorf("postgres: account %s: %w", id, sqlstore.NotFound(err))
	}
	return a, nil
}

func accountByKey(ctx context.Context, q sqlstore.Queryer, key string) (otpd.Account, error) {
	a, err := scanAccount(q.QueryRowContext(ctx,
		`SELECT `+accountColumns+` FROM accounts WHERE email_key = $1`, key))
	return a, sqlstore.NotFound(err)
}

// accountIDByKey is the account an address belongs to, or "" when it has
// none yet: events about such an address are attached when it gets one.
func accountIDByKey(ctx context.Context, tx *sql.Tx, key string) (string, error) {
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
func createAccount(ctx context.Context, tx *sql.Tx, id string, email otpd.Address, at time.Time) (otpd.Account, error) {
	if _, err := tx.ExecContext(ctx,
		`INSERT INTO accounts (id, email, email_key, created_at) VALUES ($1, $2, $3, $4)`,
		id, email.String(), email.Key(), sqlstore.MS(at)); err != nil {
		return otpd.Account{}, fmt.Errorf("create account: %w", err)
	}
	if _, err := tx.ExecContext(ctx,
		`UPDATE events SET account_id = $1 WHERE account_id IS NULL AND email_key = $2`,
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

func insertEvent(ctx context.Context, tx *sql.Tx, e otpd.Event) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO events (id, type, at, account_id, email, email_key,
		flow_id, ip, user_agent, place, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		e.ID, e.Type, sqlstore.MS(e.At), sqlstore.NullString(e.AccountID), e.Email.String(), e.Email.Key(),
		e.FlowID, e.IP, e.UserAgent, e.Place, e.Detail)
	if err != nil {
		return fmt.Errorf("insert event %s: %w", e.Type, err)
	}
	return nil
}

// Events returns an account's events, newest first; events recorded in the
// same millisecond come newest-recorded first. A limit of zero or less
// returns them all.
func (s *Store) Events(ctx context.Context, accountID string, limit int) ([]otpd.Event, error) {
	var lim sql.NullInt64 // NULL is PostgreSQL's "no limit"
	if limit > 0 {
		lim = sql.NullInt64{Int64: int64(limit), Valid: true}
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, type, at, account_id, email, flow_id, ip, user_agent, place, detail
		FROM events WHERE account_id = $1 ORDER BY at DESC, seq DESC LIMIT $2`, accountID, lim)
	if err != nil {
		return nil, fmt.Errorf("postgres: events of account %s: %w", accountID, err)
	}
	defer rows.Close()
	var evs []otpd.Event
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, fmt.Errorf("postgres: events of account %s: %w", accountID, err)
		}
		evs = append(evs, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: events of account %s: %w", accountID, err)
	}
	return evs, nil
}

func scanEvent(row sqlstore.Scanner) (otpd.Event, error) {
	var (
		e       otpd.Event
		typ     string
		at      int64
		account sql.NullString
		email   string
	)
	if err := row.Scan(&e.ID, &typ, &at, &account, &email, &e.FlowID, &e.IP, &e.UserAgent, &e.Place, &e.Detail); err != nil {
		return otpd.Event{}, err
	}
	addr, err := sqlstore.ParseAddress(email)
	if err != nil {
		return otpd.Event{}, err
	}
	e.Type, e.At, e.AccountID, e.Email = otpd.EventType(typ), sqlstore.FromMS(at), account.String, addr
	return e, nil
}

// RecordEvent records one event on its own.
func (s *Store) RecordEvent(ctx context.Context, ev otpd.Event) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error { return insertEvent(ctx, tx, ev) })
	if err != nil {
		return fmt.Errorf("postgres: record event: %w", err)
	}
	return nil
}
