// Package retention deletes, on a schedule, what otpd no longer keeps: old
// events, expired challenges, ended sessions, spent wrong-code counts. The
// store decides what may go (see otpd.PruneRequest); this package decides
// when, and says what went.
package retention

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/otpd/otpd"
)

// DefaultBatch bounds the rows of each kind one transaction deletes: a
// backlog (a first round on a year of data) is worked off in short
// transactions, which on SQLite keep sign-ins from waiting on the write
// lock.
const DefaultBatch = 1000

// Job prunes a store every Interval. Set the fields before Run and do not
// change them after. Several Jobs, on one node or many, may share a store:
// the store lets one prune at a time.
type Job struct {
	Store otpd.Pruner
	Clock otpd.Clock
	// Log hears what each round deleted; nil discards it.
	Log *slog.Logger
	// Ages are the request's ages; its Now and Limit are the Job's.
	Ages     otpd.PruneRequest
	Interval time.Duration
	Batch    int // default DefaultBatch
}

// Run prunes at once and then every Interval, until ctx is done; then it
// returns nil. A failed round is logged, and the next one tries again. It
// returns an error only when the Job is not set up.
func (j *Job) Run(ctx context.Context) error {
	if j.Interval <= 0 {
		return fmt.Errorf("retention: interval must be more than 0, got %s", j.Interval)
	}
	for {
		if _, err := j.RunOnce(ctx); err != nil && ctx.Err() == nil {
			j.logger().Error("retention: round failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(j.Interval):
		}
	}
}

// RunOnce runs one round: it prunes batch after batch until nothing more
// is due, and returns the total. It stops at once, deleting nothing, when
// another pruner holds the round.
func (j *Job) RunOnce(ctx context.Context) (otpd.PruneResult, error) {
	req := j.Ages
	req.Now, req.Limit = j.Clock.Now(), j.batch()
	var total otpd.PruneResult
	for {
		res, err := j.Store.Prune(ctx, req)
		if err != nil {
			j.report(total)
			return total, err
		}
		if res.Skipped && total == (otpd.PruneResult{}) {
			j.logger().Debug("retention: another node is pruning; skipped this round")
			return res, nil
		}
		total.Events += res.Events
		total.Challenges += res.Challenges
		total.Messages += res.Messages
		total.Webhooks += res.Webhooks
		total.Sessions += res.Sessions
		total.Guards += res.Guards
		total.AuthRequests += res.AuthRequests
		total.Tokens += res.Tokens
		total.SigningKeys += res.SigningKeys
		if !res.Full(req.Limit) {
			j.report(total)
			return total, nil
		}
	}
}

func (j *Job) report(r otpd.PruneResult) {
	if r == (otpd.PruneResult{}) {
		return
	}
	j.logger().Info("retention: pruned", "events", r.Events, "challenges", r.Challenges,
		"messages", r.Messages, "sessions", r.Sessions, "guards", r.Guards,
		"authorization_requests", r.AuthRequests, "tokens", r.Tokens, "signing_keys", r.SigningKeys, "webhooks", r.Webhooks)
}

func (j *Job) batch() int {
	if j.Batch <= 0 {
		return DefaultBatch
	}
	return j.Batch
}

func (j *Job) logger() *slog.Logger {
	if j.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return j.Log
}
