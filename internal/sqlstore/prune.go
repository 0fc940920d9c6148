package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/otpd/otpd"
)

// Prune deletes what retention no longer keeps, in one transaction that
// first tries the Dialect's prune lock, where it has one. A node that does
// not get it skips the round instead of waiting: the node holding it
// deletes the same rows. SQLite has none: it serves one node (processes
// sharing the file take turns on its write lock), so a round is never
// skipped. Each kind is deleted by its indexed time, at most req.Limit
// rows of it.
func (s *Store) Prune(ctx context.Context, req otpd.PruneRequest) (otpd.PruneResult, error) {
	defer s.observe(opPrune, time.Now())
	cut, err := pruneCutoffs(req)
	if err != nil {
		return otpd.PruneResult{}, s.errorf("prune: %w", err)
	}
	var res otpd.PruneResult
	err = s.inTx(ctx, func(tx *txn) error {
		if s.d.TryLockPrune != nil {
			locked, err := s.d.TryLockPrune(ctx, tx.Tx)
			if err != nil {
				return fmt.Errorf("lock: %w", err)
			}
			if !locked {
				res.Skipped = true
				return nil
			}
		}
		return runPrune(ctx, tx, pruneSteps(cut, s.limit(req.Limit), &res))
	})
	if err != nil {
		return otpd.PruneResult{}, s.errorf("prune: %w", err)
	}
	return res, nil
}

// pruneSteps are a prune's DELETEs, in order, each counting into res.
// Where a row can change under a prune (a guard whose window a wrong code
// restarts or whose lockout it extends, a session), the DELETE repeats the
// condition on the row itself: PostgreSQL re-checks it on the row as it is
// once its lock is free, so a window restarted meanwhile is not deleted.
func pruneSteps(cut cutoffs, limit any, res *otpd.PruneResult) []pruneStep {
	return []pruneStep{{
		Cutoff:  cut.Events,
		Query:   `DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE at < $1 LIMIT $2)`,
		Args:    []any{cut.Events, limit},
		Deleted: &res.Events,
	}, {
		// The finished messages of challenges that can go: those whose
		// messages are none of them queued.
		Cutoff: cut.Challenges,
		Query: `DELETE FROM outbox WHERE state <> $1 AND challenge_id IN (
			SELECT c.id FROM challenges c WHERE c.expires_at < $2 AND NOT EXISTS (
				SELECT 1 FROM outbox q WHERE q.challenge_id = c.id AND q.state = $1)
			AND NOT EXISTS (SELECT 1 FROM email_changes e WHERE e.id = c.id) LIMIT $3)`,
		Args:    []any{otpd.MessageQueued, cut.Challenges, limit},
		Deleted: &res.Messages,
	}, {
		// A finished notice no code led to (an app's first access) goes
		// by its own age, as the messages of challenges do.
		Cutoff: cut.Challenges,
		Query: `DELETE FROM outbox WHERE id IN (
			SELECT id FROM outbox WHERE challenge_id IS NULL AND created_at < $2 AND state <> $1 LIMIT $3)`,
		Args:    []any{otpd.MessageQueued, cut.Challenges, limit},
		Deleted: &res.Messages,
	}, {
		// A webhook whose delivery ended, delivered or failed, goes by
		// the same age; a queued one stays.
		Cutoff: cut.Challenges,
		Query: `DELETE FROM webhooks WHERE id IN (
			SELECT id FROM webhooks WHERE finished_at < $1 LIMIT $2)`,
		Args:    []any{cut.Challenges, limit},
		Deleted: &res.Webhooks,
	}, {
		// Then the challenges left without a message. One that confirmed
		// a change of address stays: the change's record names it.
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
		// A guard goes once its window and its lockout both ended long
		// enough ago.
		Cutoff: cut.Guards,
		Query: `DELETE FROM guards WHERE window_start < $1 AND locked_until < $2 AND guard_key IN (
			SELECT guard_key FROM guards WHERE window_start < $1 AND locked_until < $2 LIMIT $3)`,
		Args:    []any{cut.Guards, cut.Challenges, limit},
		Deleted: &res.Guards,
	}, {
		// A request goes once it and its code have expired; a replay of
		// its code then finds nothing, which refuses it as well.
		Cutoff: cut.Challenges,
		Query: `DELETE FROM oidc_auth_requests WHERE id IN (
			SELECT id FROM oidc_auth_requests WHERE expires_at < $1
			AND (code_expires_at IS NULL OR code_expires_at < $1) LIMIT $2)`,
		Args:    []any{cut.Challenges, limit},
		Deleted: &res.AuthRequests,
	}, {
		// A family expires no earlier than any of its tokens, so its
		// tokens go first, then the families left empty.
		Cutoff:  cut.Sessions,
		Query:   `DELETE FROM oidc_access_tokens WHERE id IN (SELECT id FROM oidc_access_tokens WHERE expires_at < $1 LIMIT $2)`,
		Args:    []any{cut.Sessions, limit},
		Deleted: &res.Tokens,
	}, {
		Cutoff:  cut.Sessions,
		Query:   `DELETE FROM oidc_refresh_tokens WHERE id IN (SELECT id FROM oidc_refresh_tokens WHERE expires_at < $1 LIMIT $2)`,
		Args:    []any{cut.Sessions, limit},
		Deleted: &res.Tokens,
	}, {
		Cutoff: cut.Sessions,
		Query: `DELETE FROM oidc_token_families WHERE id IN (
			SELECT f.id FROM oidc_token_families f WHERE f.expires_at < $1
			AND NOT EXISTS (SELECT 1 FROM oidc_access_tokens a WHERE a.family_id = f.id)
			AND NOT EXISTS (SELECT 1 FROM oidc_refresh_tokens t WHERE t.family_id = f.id) LIMIT $2)`,
		Args:    []any{cut.Sessions, limit},
		Deleted: &res.Tokens,
	}, {
		Cutoff:  cut.Sessions,
		Query:   `DELETE FROM oidc_signing_keys WHERE id IN (SELECT id FROM oidc_signing_keys WHERE expires_at < $1 LIMIT $2)`,
		Args:    []any{cut.Sessions, limit},
		Deleted: &res.SigningKeys,
	}}
}

// cutoffs are the instants a prune deletes before, as stored; an invalid
// (NULL) one leaves its kind alone.
type cutoffs struct {
	Events     sql.NullInt64
	Challenges sql.NullInt64
	Sessions   sql.NullInt64
	Guards     sql.NullInt64
}

// pruneCutoffs turns a request's ages into cutoffs. A negative age is
// refused: it would reach into the future, where live rows are.
func pruneCutoffs(req otpd.PruneRequest) (cutoffs, error) {
	for name, age := range map[string]time.Duration{
		"events": req.Events, "challenges": req.Challenges, "sessions": req.Sessions, "guess window": req.GuessWindow,
	} {
		if age < 0 {
			return cutoffs{}, fmt.Errorf("%s age must not be negative, got %s", name, age)
		}
	}
	// before is Now less the ages, or NULL when one of them is zero.
	before := func(ages ...time.Duration) sql.NullInt64 {
		t := req.Now
		for _, a := range ages {
			if a == 0 {
				return sql.NullInt64{}
			}
			t = t.Add(-a)
		}
		return sql.NullInt64{Int64: toMS(t), Valid: true}
	}
	return cutoffs{
		Events:     before(req.Events),
		Challenges: before(req.Challenges),
		Sessions:   before(req.Sessions),
		Guards:     before(req.GuessWindow, req.Challenges),
	}, nil
}

// pruneStep is one DELETE of a prune: it runs when its cutoff is set, and
// its count goes to Deleted.
type pruneStep struct {
	Cutoff  sql.NullInt64
	Query   string
	Args    []any
	Deleted *int
}

// runPrune runs the steps in order in tx.
func runPrune(ctx context.Context, tx *txn, steps []pruneStep) error {
	for _, st := range steps {
		if !st.Cutoff.Valid {
			continue
		}
		res, err := tx.ExecContext(ctx, st.Query, st.Args...)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		// Several steps may count into one kind (the tokens).
		*st.Deleted += int(n)
	}
	return nil
}
