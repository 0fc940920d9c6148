package sqlstore

import (
	"context"
	"time"

	"github.com/otpd/otpd"
)

// RequestIPs returns the IPs of an address's recent code requests.
func (s *Store) RequestIPs(ctx context.Context, email otpd.Address, since time.Time, limit int) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT ip FROM challenges WHERE email_key = $1 AND created_at >= $2
		ORDER BY created_at DESC LIMIT $3`, email.Key(), toMS(since), limit)
	ips, err := scanAll(rows, err, func(row scanner) (ip string, err error) { return ip, row.Scan(&ip) })
	if err != nil {
		return nil, s.errorf("request IPs of %s: %w", email, err)
	}
	return ips, nil
}

// StartCampaign marks an account under attack, once.
func (s *Store) StartCampaign(ctx context.Context, c otpd.Campaign, ev otpd.Event, notice *otpd.OutboxMessage) error {
	err := s.inTx(ctx, func(tx *txn) error {
		res, err := tx.ExecContext(ctx, `UPDATE accounts SET campaign_id = $1, campaign_until = $2
			WHERE id = $3 AND campaign_until <= $4`, c.ID, toMS(c.Until), c.AccountID, toMS(c.StartedAt))
		if err != nil {
			return err
		}
		if err := affected(res, nil); err != nil {
			return otpd.ErrCampaignOn
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO campaigns (id, account_id, started_at, last_at, until, requests, places)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, c.ID, c.AccountID, toMS(c.StartedAt), toMS(c.LastAt),
			toMS(c.Until), c.Requests, placesText(c.Places)); err != nil {
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
		return s.errorf("start campaign against account %s: %w", c.AccountID, err)
	}
	return nil
}

// CountCampaign adds a held-back request to the account's campaign. The
// campaign's row is locked before its places are read, so that concurrent
// requests lose no place.
func (s *Store) CountCampaign(ctx context.Context, accountID string, at time.Time, place string, until time.Time) error {
	err := s.inTx(ctx, func(tx *txn) error {
		var id, places string
		err := tx.QueryRowContext(ctx, s.rowLocked(`SELECT c.id, c.places FROM accounts a JOIN campaigns c ON c.id = a.campaign_id
			WHERE a.id = $1`, `FOR UPDATE OF c`), accountID).Scan(&id, &places)
		if err != nil {
			return notFound(err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE campaigns SET requests = requests + 1, last_at = `+s.d.Greatest+`(last_at, $1),
			until = `+s.d.Greatest+`(until, $2), places = $3 WHERE id = $4`,
			toMS(at), toMS(until), placesText(otpd.AddPlace(parsePlaces(places), place)), id); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE accounts SET campaign_until = `+s.d.Greatest+`(campaign_until, $1) WHERE id = $2`,
			toMS(until), accountID)
		return err
	})
	if err != nil {
		return s.errorf("count campaign against account %s: %w", accountID, err)
	}
	return nil
}

// Campaigns returns an account's campaigns, newest first.
func (s *Store) Campaigns(ctx context.Context, accountID string) ([]otpd.Campaign, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, account_id, started_at, last_at, until, requests, places
		FROM campaigns WHERE account_id = $1 ORDER BY started_at DESC`, accountID)
	cs, err := scanAll(rows, err, scanCampaign)
	if err != nil {
		return nil, s.errorf("campaigns of account %s: %w", accountID, err)
	}
	return cs, nil
}

func scanCampaign(row scanner) (otpd.Campaign, error) {
	var c otpd.Campaign
	var started, last, until int64
	var places string
	if err := row.Scan(&c.ID, &c.AccountID, &started, &last, &until, &c.Requests, &places); err != nil {
		return otpd.Campaign{}, err
	}
	c.StartedAt, c.LastAt, c.Until, c.Places = fromMS(started), fromMS(last), fromMS(until), parsePlaces(places)
	return c, nil
}
