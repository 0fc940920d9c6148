package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/internal/sqlstore"
)

// Prune deletes what retention no longer keeps, in one immediate
// transaction. SQLite serves one node (processes sharing the file take
// turns on its write lock), so a round is never skipped. Each kind is
// deleted by its indexed time, at most req.Limit rows of it.
func (s *Store) Prune(ctx context.Context, req otpd.PruneRequest) (otpd.PruneResult, error) {
	cut, err := sqlstore.PruneCutoffs(req)
	if err != nil {
		return otpd.PruneResult{}, fmt.Errorf("sqlite: prune: %w", err)
	}
	limit := req.Limit
	if limit <= 0 {
		limit = -1 // SQLite's "no limit"
	}
	var res otpd.PruneResult
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		return sqlstore.RunPrune(ctx, tx, []sqlstore.PruneStep{{
			Cutoff:  cut.Events,
			Query:   `DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE at < ? LIMIT ?)`,
			Args:    []any{cut.Events, limit},
			Deleted: &res.Events,
		}, {
			// The finished messages of challenges that can go: those
			// whose messages are none of them queued.
			Cutoff: cut.Challenges,
			Query: `DELETE FROM outbox WHERE state <> ? AND challenge_id IN (
				SELECT c.id FROM challenges c WHERE c.expires_at < ? AND NOT EXISTS (
					SELECT 1 FROM outbox q WHERE q.challenge_id = c.id AND q.state = ?)
				AND NOT EXISTS (SELECT 1 FROM email_changes e WHERE e.id = c.id) LIMIT ?)`,
			Args:    []any{otpd.MessageQueued, cut.Challenges, otpd.MessageQueued, limit},
			Deleted: &res.Messages,
		}, {
			// Then the challenges left without a message. One that
			// confirmed a change of address stays: the change's record
			// names it.
			Cutoff: cut.Challenges,
			Query: `DELETE FROM challenges WHERE id IN (
				SELECT c.id FROM challenges c WHERE c.expires_at < ? AND NOT EXISTS (
					SELECT 1 FROM outbox o WHERE o.challenge_id = c.id)
				AND NOT EXISTS (SELECT 1 FROM email_changes e WHERE e.id = c.id) LIMIT ?)`,
			Args:    []any{cut.Challenges, limit},
			Deleted: &res.Challenges,
		}, {
			Cutoff: cut.Sessions,
			Query: `DELETE FROM sessions WHERE id IN (
				SELECT id FROM sessions WHERE expires_at < ?1 OR ended_at < ?1 LIMIT ?2)`,
			Args:    []any{cut.Sessions, limit},
			Deleted: &res.Sessions,
		}, {
			// A guard goes once its window and its lockout both ended
			// long enough ago.
			Cutoff: cut.Guards,
			Query: `DELETE FROM guards WHERE guard_key IN (
				SELECT guard_key FROM guards WHERE window_start < ?1 AND locked_until < ?2 LIMIT ?3)`,
			Args:    []any{cut.Guards, cut.Challenges, limit},
			Deleted: &res.Guards,
		}})
	})
	if err != nil {
		return otpd.PruneResult{}, fmt.Errorf("sqlite: prune: %w", err)
	}
	return res, nil
}
