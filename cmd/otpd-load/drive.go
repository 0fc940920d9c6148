package main

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// plan is how a run is paced and when it stops: the closed loop keeps
// concurrency flows going, the open loop starts rate flows a second
// whatever the server does, with at most maxInflight unfinished. A run
// ends after duration, or flows flows if that is set, whichever first.
type plan struct {
	concurrency int
	rate        float64
	duration    time.Duration
	flows       int64
	maxInflight int
}

// closedLoop runs the plan with concurrency workers, each starting its
// next flow when its last has ended. It returns the time from start
// until the last flow ended.
func (r *runner) closedLoop(ctx context.Context, p plan, accounts *pool) time.Duration {
	start := time.Now()
	deadline := start.Add(p.duration)
	var started atomic.Int64
	var wg sync.WaitGroup
	for range p.concurrency {
		wg.Go(func() {
			for ctx.Err() == nil && time.Now().Before(deadline) {
				i := started.Add(1) - 1
				if p.flows > 0 && i >= p.flows {
					return
				}
				a, err := accounts.take(ctx, i)
				if err != nil {
					return
				}
				if r.measure(ctx, a, time.Now()) {
					accounts.give(a)
				}
			}
		})
	}
	wg.Wait()
	return time.Since(start)
}

// openLoop starts flows on the schedule due sets. A flow that cannot
// start on time, because maxInflight flows are unfinished or every
// account is busy, is counted as an error rather than started late: the
// generator must not quietly slow to the server's pace.
func (r *runner) openLoop(ctx context.Context, p plan, accounts *pool) time.Duration {
	start := time.Now()
	slots := make(chan struct{}, p.maxInflight)
	var wg sync.WaitGroup
	n := planned(p.rate, p.duration, p.flows)
	for i := range n {
		at := due(start, p.rate, i)
		if sleep(ctx, time.Until(at)) != nil {
			break
		}
		select {
		case slots <- struct{}{}:
		default:
			r.rec.fail("generator: --max-inflight flows unfinished")
			continue
		}
		a, ok := accounts.tryTake(i)
		if !ok {
			<-slots
			r.rec.fail("generator: every account busy")
			continue
		}
		wg.Go(func() {
			defer func() { <-slots }()
			if r.measure(ctx, a, at) {
				accounts.give(a)
			}
		})
	}
	wg.Wait()
	return time.Since(start)
}

// measure runs one flow and records it; the whole flow's latency counts
// from when it was due. It reports whether the account may sign in again:
// one whose code never came may still receive it, and a later flow would
// take that old code for its own, so it is retired.
func (r *runner) measure(ctx context.Context, a *account, due time.Time) (reusable bool) {
	err := r.flow(ctx, a, true)
	if err == nil {
		r.rec.done(time.Since(due))
		return true
	}
	if ctx.Err() == nil {
		r.rec.fail(kindOf(err))
	}
	var fe *flowError
	return !errors.As(err, &fe) || fe.step != stepRead
}
