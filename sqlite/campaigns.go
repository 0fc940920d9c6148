package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/internal/sqlstore"
)

// RequestIPs returns the IPs of an address's recent code requests.
func (s *Store) RequestIPs(ctx context.Context, email otpd.Address, since time.Time, limit int) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT ip FROM challenges WHERE email_key = ? AND created_at >= ?
		ORDER BY created_at DESC LIMIT ?`, email.Key(), sqlstore.MS(since), limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: request IPs of %s: %w", email, err)
	}
	defer rows.Close()
	var ips []string
	for rows.Next() {
		var ip string
		if err := rows.Scan(&ip); err != nil {
			return nil, fmt.Errorf("sqlite: request IPs of %s: %w", email, err)
		}
		ips = append(ips, ip)
	}
	return ips, rows.Err()
}

// StartCampaign marks an account under attack, once.
func (s *Store) StartCampaign(ctx context.Context, c otpd.Campaign, ev otpd.Event, notice *otpd.OutboxMessage) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE accounts SET campaign_id = ?, campaign_until = ?
			WHERE id = ? AND campaign_until <= ?`, c.ID, sqlstore.MS(c.Until), c.AccountID, sqlstore.MS(c.StartedAt))
		if err != nil {
			return err
		}
		if err := sqlstore.Affected(res); err != nil {
			return otpd.ErrCampaignOn
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO campaigns (id, account_id, started_at, last_at, until, requests, places)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, c.ID, c.AccountID, sqlstore.MS(c.StartedAt), sqlstore.MS(c.LastAt),
			sqlstore.MS(c.Until), c.Requests, sqlstore.PlacesText(c.Places)); err != nil {
			return err
		}
		if notice != nil {
			if err := insertMessage(ctx, tx, *notice); err != nil {
				return err
			}
		}
		return insertEvent(ctx, tx, ev)
	})
	if err != nil {
		return fmt.Errorf("sqlite: start campaign against account %s: %w", c.AccountID, err)
	}
	return nil
}

// CountCampaign adds a held-back request to the account's campaign.
func (s *Store) CountCampaign(ctx context.Context, accountID string, at time.Time, place string, until time.Time) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var id, places string
		err := tx.QueryRowContext(ctx, `SELECT c.id, c.places FROM accounts a JOIN campaigns c ON c.id = a.campaign_id
			WHERE a.id = ?`, accountID).Scan(&id, &places)
		if err != nil {
			return sqlstore.NotFound(err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE campaigns SET requests = requests + 1, last_at = MAX(last_at, ?),
			until = MAX(until, ?), places = ? WHERE id = ?`,
			sqlstore.MS(at), sqlstore.MS(until), sqlstore.PlacesText(otpd.AddPlace(sqlstore.ParsePlaces(places), place)), id); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE accounts SET campaign_until = MAX(campaign_until, ?) WHERE id = ?`,
			sqlstore.MS(until), accountID)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: count campaign against account %s: %w", accountID, err)
	}
	return nil
}

// Campaigns returns an account's campaigns, newest first.
func (s *Store) Campaigns(ctx context.Context, accountID string) ([]otpd.Campaign, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, account_id, started_at, last_at, until, requests, places
		FROM campaigns WHERE account_id = ? ORDER BY started_at DESC`, accountID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: campaigns of account %s: %w", accountID, err)
	}
	defer rows.Close()
	var cs []otpd.Campaign
	for rows.Next() {
		var c otpd.Campaign
		var started, last, until int64
		var places string
		if err := rows.Scan(&c.ID, &c.AccountID, &started, &last, &until, &c.Requests, &places); err != nil {
			return nil, fmt.Errorf("sqlite: campaigns of account %s: %w", accountID, err)
		}
		c.StartedAt, c.LastAt, c.Until, c.Places = sqlstore.FromMS(started), sqlstore.FromMS(last), sqlstore.FromMS(until), sqlstore.ParsePlaces(places)
		cs = append(cs, c)
	}
	return cs, rows.Err()
}
