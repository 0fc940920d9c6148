package sqlstore

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/otpd/otpd"
)

// messageColumns read a message; a notice no code led to has no
// challenge, and reads as ChallengeID "".
const messageColumns = `id, COALESCE(challenge_id, ''), message_id, kind, to_addr, payload, created_at, not_after,
	next_attempt, attempts, state, last_error, COALESCE(ref, '')`

func insertMessage(ctx context.Context, tx *txn, m otpd.OutboxMessage) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO outbox (id, challenge_id, message_id, kind, to_addr, payload,
		created_at, not_after, next_attempt, attempts, state, ref) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10, $11)`,
		m.ID, nullString(m.ChallengeID), m.MessageID, m.Kind, m.To.String(), m.Payload,
		toMS(m.CreatedAt), toMS(m.NotAfter), toMS(m.NextAttempt), otpd.MessageQueued, nullString(m.Ref))
	if err != nil {
		return fmt.Errorf("insert message: %w", err)
	}
	return nil
}

// ClaimMessages claims due messages in one UPDATE: the claim is the move of
// next_attempt to the lease's end. Where rows lock, the due rows are
// picked FOR UPDATE SKIP LOCKED, so workers on any number of nodes
// claiming at once each take rows no other is taking, without waiting for
// one another; a row another claim has just moved is re-checked after its
// lock and no longer due. (In SQLite the UPDATE holds the database's write
// lock.) So two workers never claim a message in the same lease, and a
// worker that dies leaves it due again when the lease ends. Messages past
// NotAfter are handed out too: deciding that they are pointless, and
// finishing them, is the worker's job. Messages come oldest first.
func (s *Store) ClaimMessages(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]otpd.OutboxMessage, error) {
	defer s.observe(opClaimMessages, time.Now())
	due := s.rowLocked(`SELECT id FROM outbox WHERE state = $2 AND next_attempt <= $3
		ORDER BY next_attempt, created_at LIMIT $4`, `FOR UPDATE SKIP LOCKED`)
	done, err := s.write(ctx)
	if err != nil {
		return nil, s.errorf("claim messages: %w", err)
	}
	// The UPDATE's transaction lasts until its rows are read.
	defer done()
	rows, err := s.w.QueryContext(ctx, `UPDATE outbox SET attempts = attempts + 1, next_attempt = $1
		WHERE id IN (`+due+`) RETURNING `+messageColumns,
		toMS(now.Add(lease)), otpd.MessageQueued, toMS(now), max(limit, 0))
	msgs, err := scanAll(rows, err, scanMessage)
	if err != nil {
		return nil, s.errorf("claim messages: %w", err)
	}
	// RETURNING comes in no promised order.
	slices.SortFunc(msgs, func(a, b otpd.OutboxMessage) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
	})
	return msgs, nil
}

// RetryMessage puts a queued message back, due at next. A message whose
// delivery has ended is not found.
func (s *Store) RetryMessage(ctx context.Context, id string, next time.Time, lastError string) error {
	defer s.observe(opRetryMessage, time.Now())
	err := affected(s.exec(ctx, `UPDATE outbox SET next_attempt = $1, last_error = $2 WHERE id = $3 AND state = $4`,
		toMS(next), lastError, id, otpd.MessageQueued))
	if err != nil {
		return s.errorf("retry message %s: %w", id, err)
	}
	return nil
}

// FinishMessage ends a queued message's delivery and wipes its payload,
// which holds the sealed code: once delivery has ended nothing needs it.
// A message whose delivery has already ended is not found.
func (s *Store) FinishMessage(ctx context.Context, id string, state otpd.MessageState, at time.Time, lastError string) error {
	defer s.observe(opFinishMessage, time.Now())
	switch state {
	case otpd.MessageSent, otpd.MessageFailed, otpd.MessageUndeliverable:
	default:
		return s.errorf("finish message %s: %q is not a final state", id, state)
	}
	err := affected(s.exec(ctx, `UPDATE outbox SET state = $1, finished_at = $2, last_error = $3, payload = NULL
		WHERE id = $4 AND state = $5`, state, toMS(at), lastError, id, otpd.MessageQueued))
	if err != nil {
		return s.errorf("finish message %s: %w", id, err)
	}
	return nil
}

// FinishSent ends several messages as sent in one transaction: one write
// for the sends a worker saw end together, rather than one each.
func (s *Store) FinishSent(ctx context.Context, ids []string, at time.Time) (int, error) {
	defer s.observe(opFinishSent, time.Now())
	if len(ids) == 0 {
		return 0, nil
	}
	var n int
	err := s.inTx(ctx, func(tx *txn) error {
		for _, id := range ids {
			res, err := tx.ExecContext(ctx, `UPDATE outbox SET state = $1, finished_at = $2, last_error = '', payload = NULL
				WHERE id = $3 AND state = $4`, otpd.MessageSent, toMS(at), id, otpd.MessageQueued)
			if err != nil {
				return fmt.Errorf("message %s: %w", id, err)
			}
			k, err := res.RowsAffected()
			if err != nil {
				return err
			}
			n += int(k)
		}
		return nil
	})
	if err != nil {
		return 0, s.errorf("finish %d messages as sent: %w", len(ids), err)
	}
	return n, nil
}

func scanMessage(row scanner) (otpd.OutboxMessage, error) {
	var (
		m                              otpd.OutboxMessage
		to, kind, state                string
		created, notAfter, nextAttempt int64
	)
	if err := row.Scan(&m.ID, &m.ChallengeID, &m.MessageID, &kind, &to, &m.Payload, &created, &notAfter,
		&nextAttempt, &m.Attempts, &state, &m.LastError, &m.Ref); err != nil {
		return otpd.OutboxMessage{}, err
	}
	addr, err := parseAddress(to)
	if err != nil {
		return otpd.OutboxMessage{}, err
	}
	m.To, m.Kind, m.State = addr, otpd.MessageKind(kind), otpd.MessageState(state)
	m.CreatedAt, m.NotAfter, m.NextAttempt = fromMS(created), fromMS(notAfter), fromMS(nextAttempt)
	return m, nil
}
