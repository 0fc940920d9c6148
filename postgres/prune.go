package postgres

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/internal/sqlstore"
)

// Prune deletes what retention no longer keeps, in one transaction that
// first tries the schema's prune lock (transaction-scoped, so it ends with
// the transaction, also through a pooler). A node that does not get it
// skips the round instead of waiting: the node holding it deletes the
// same rows. Each kind is deleted by its indexed time, at most req.Limit
// rows of it. Where a row can change under a prune (a guard whose window
// a wrong code restarts or whose lockout it extends, a session), the
// DELETE repeats the condition on the row itself: PostgreSQL re-checks it
// on the row as it is once its lock is free, so a window restarted
// meanwhile is not deleted.
func (s *Store) Prune(ctx context.Context, req otpd.PruneRequest) (otpd.PruneResult, error) {
	cut, err := sqlstore.PruneCutoffs(req)
	if err != nil {
		return otpd.PruneResult{}, fmt.Errorf("postgres: prune: %w", err)
	}
	var limit sql.NullInt64 // NULL is PostgreSQL's "no limit"
	if req.Limit > 0 {
		limit = sql.NullInt64{Int64: int64(req.Limit), Valid: true}
	}
	var res otpd.PruneResult
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		var locked bool
		if err := tx.QueryRowContext(ctx, `SELECT pg_try_advisory_xact_lock($1, hashtext(current_schema()))`,
			lockPrune).Scan(&locked); err != nil {
			return fmt.Errorf("lock: %w", err)
		}
		if !locked {
			res.Skipped = true
			return nil
		}
		return sqlstore.RunPrune(ctx, tx, []sqlstore.PruneStep{{
			Cutoff:  cut.Events,
			Query:   `DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE at < $1 LIMIT $2)`,
			Args:    []any{cut.Events, limit},
			Deleted: &res.Events,
		}, {
			// The finished messages of challenges that can go: those
			// whose messages are none of them queued.
			Cutoff: cut.Challenges,
			Query: `DELETE FROM outbox WHERE state <> $1 AND challenge_id IN (
				SELECT c.id FROM challenges c WHERE c.expires_at < $2 AND NOT EXISTS (
					SELECT 1 FROM outbox q WHERE q.challenge_id = c.id AND q.state = $1)
				AND NOT EXISTS (SELECT 1 FROM email_changes e WHERE e.id = c.id) LIMIT $3)`,
			Args:    []any{otpd.MessageQueued, cut.Challenges, limit},
			Deleted: &res.Messages,
		}, {
			// Then the challenges left without a message. One that
			// confirmed a change of address stays: the change's record
			// names it.
			Cutoff: cut.Challenges,
			Query: `DELETE FROM challenges WHERE id IN (
				SELECT c.id FROM challenges c WHERE c.expires_at < $1 AND NOT EXISTS (
					SELECT 1 FROM outbox o WHERE o.challenge_id = c.id)
				AND NOT EXISTS (SELECT 1 FROM email_changes e WHERE e.id = c.id) LIMIT $2)`,
			Args:    []any{cut.Challenges, limit},
			Deleted: &res.Challenges,
		}, {
			Cutoff: cut.Sessions,
			Query: `DELETE FROM sessions WHERE (expires_at < $1 OR ended_at < $1) AND id IN (
				SELECT id FROM sessions WHERE expires_at < $1 OR ended_at < $1 LIMIT $2)`,
			Args:    []any{cut.Sessions, limit},
			Deleted: &res.Sessions,
		}, {
			// A guard goes once its window and its lockout both ended
			// long enough ago.
			Cutoff: cut.Guards,
			Query: `DELETE FROM guards WHERE window_start < $1 AND locked_until < $2 AND guard_key IN (
				SELECT guard_key FROM guards WHERE window_start < $1 AND locked_until < $2 LIMIT $3)`,
			Args:    []any{cut.Guards, cut.Challenges, limit},
			Deleted: &res.Guards,
		}})
	})
	if err != nil {
		return otpd.PruneResult{}, fmt.Errorf("postgres: prune: %w", err)
	}
	return res, nil
}
