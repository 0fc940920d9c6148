package sqlstore

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/otpd/otpd"
)

// SetWebhooks sets which endpoints hear which events: from then on, each
// event of a subscribed type queues one webhook per endpoint, in the
// transaction that records the event, so that a webhook is queued if and
// only if its event is recorded, and a crash loses neither. Call it once,
// before the Store is used; without it, recording an event writes nothing
// more.
func (s *Store) SetWebhooks(subs otpd.WebhookSubscriptions) {
	if len(subs) == 0 {
		s.hooks = nil
		return
	}
	s.hooks = subs
}

// webhookColumns read a queued webhook.
const webhookColumns = `id, endpoint, type, account_id, body, created_at, next_attempt, attempts, state, last_error`

// queueWebhooks queues e's webhook for every endpoint subscribed to its
// type; where none is, it costs a map lookup and writes nothing.
func queueWebhooks(ctx context.Context, tx *txn, e otpd.Event, app otpd.WebhookApp) error {
	endpoints := tx.hooks[e.Type]
	if len(endpoints) == 0 {
		return nil
	}
	w, ok := otpd.WebhookOf(e, app)
	if !ok {
		return nil
	}
	// The stored time is the event's, to the millisecond.
	w.Timestamp = fromMS(toMS(e.At))
	body := w.Body()
	for _, ep := range endpoints {
		_, err := tx.ExecContext(ctx, `INSERT INTO webhooks (id, endpoint, type, account_id, body, created_at,
			next_attempt, attempts, state) VALUES ($1, $2, $3, $4, $5, $6, $6, 0, $7)`,
			"msg_"+newID(), ep, w.Type, e.AccountID, body, toMS(e.At), otpd.WebhookQueued)
		if err != nil {
			return fmt.Errorf("queue webhook %s for %s: %w", w.Type, ep, err)
		}
	}
	return nil
}

// ClaimWebhooks claims due webhooks as ClaimMessages claims messages: one
// UPDATE moves next_attempt to the lease's end and counts the attempt;
// where rows lock, the due rows are picked FOR UPDATE SKIP LOCKED, so
// workers on several nodes take different rows without waiting for one
// another. A worker that dies leaves its webhooks due again when the
// lease ends. Webhooks come oldest first.
func (s *Store) ClaimWebhooks(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]otpd.WebhookDelivery, error) {
	due := s.rowLocked(`SELECT id FROM webhooks WHERE state = $2 AND next_attempt <= $3
		ORDER BY next_attempt, created_at LIMIT $4`, `FOR UPDATE SKIP LOCKED`)
	done, err := s.write(ctx)
	if err != nil {
		return nil, s.errorf("claim webhooks: %w", err)
	}
	defer done()
	rows, err := s.w.QueryContext(ctx, `UPDATE webhooks SET attempts = attempts + 1, next_attempt = $1
		WHERE id IN (`+due+`) RETURNING `+webhookColumns,
		toMS(now.Add(lease)), otpd.WebhookQueued, toMS(now), max(limit, 0))
	hooks, err := scanAll(rows, err, scanWebhook)
	if err != nil {
		return nil, s.errorf("claim webhooks: %w", err)
	}
	slices.SortFunc(hooks, func(a, b otpd.WebhookDelivery) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
	})
	return hooks, nil
}

// RetryWebhook puts a queued webhook back, due at next. A webhook whose
// delivery has ended is not found.
func (s *Store) RetryWebhook(ctx context.Context, id string, next time.Time, lastError string) error {
	err := affected(s.exec(ctx, `UPDATE webhooks SET next_attempt = $1, last_error = $2 WHERE id = $3 AND state = $4`,
		toMS(next), lastError, id, otpd.WebhookQueued))
	if err != nil {
		return s.errorf("retry webhook %s: %w", id, err)
	}
	return nil
}

// FinishWebhook ends a queued webhook's delivery. The row stays, with its
// state, until retention deletes it.
func (s *Store) FinishWebhook(ctx context.Context, id string, state otpd.WebhookState, at time.Time, lastError string) error {
	if state != otpd.WebhookDelivered && state != otpd.WebhookFailed {
		return s.errorf("finish webhook %s: %q is not a final state", id, state)
	}
	err := affected(s.exec(ctx, `UPDATE webhooks SET state = $1, finished_at = $2, last_error = $3
		WHERE id = $4 AND state = $5`, state, toMS(at), lastError, id, otpd.WebhookQueued))
	if err != nil {
		return s.errorf("finish webhook %s: %w", id, err)
	}
	return nil
}

func scanWebhook(row scanner) (otpd.WebhookDelivery, error) {
	var (
		w                    otpd.WebhookDelivery
		typ, state           string
		created, nextAttempt int64
	)
	if err := row.Scan(&w.ID, &w.Endpoint, &typ, &w.AccountID, &w.Body, &created, &nextAttempt,
		&w.Attempts, &state, &w.LastError); err != nil {
		return otpd.WebhookDelivery{}, err
	}
	w.Type, w.State = otpd.WebhookType(typ), otpd.WebhookState(state)
	w.CreatedAt, w.NextAttempt = fromMS(created), fromMS(nextAttempt)
	return w, nil
}
