package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"
	"sync"
)

// pool hands out the accounts flows sign in. With pre-created accounts
// each is leased to one flow at a time, in turn (an account whose code
// went missing is not given back); otherwise every flow signs up a new
// address.
type pool struct {
	free  chan *account // nil: a new address per flow
	runID string
}

func newPool(accounts int) *pool {
	p := &pool{runID: strings.ToLower(rand.Text()[:8])}
	if accounts > 0 {
		p.free = make(chan *account, accounts)
		for i := range accounts {
			p.free <- &account{email: accountEmail(i)}
		}
	}
	return p
}

// accountEmail names the i-th pre-created account. The seed command
// creates its accounts under the same names, so a run against a seeded
// store signs in accounts that already have a history.
func accountEmail(i int) string { return fmt.Sprintf("user%d@load.test", i) }

// take waits for a free account, or makes a new address.
func (p *pool) take(ctx context.Context, i int64) (*account, error) {
	if p.free == nil {
		return p.fresh(i), nil
	}
	select {
	case a := <-p.free:
		return a, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// tryTake is take without waiting, for the open loop, which must not fall
// behind its schedule.
func (p *pool) tryTake(i int64) (*account, bool) {
	if p.free == nil {
		return p.fresh(i), true
	}
	select {
	case a := <-p.free:
		return a, true
	default:
		return nil, false
	}
}

// fresh names a new address; the run ID keeps a second run against the
// same server signing up new addresses too.
func (p *pool) fresh(i int64) *account {
	return &account{email: fmt.Sprintf("new-%s-%d@load.test", p.runID, i), seen: true}
}

func (p *pool) give(a *account) {
	if p.free != nil {
		p.free <- a
	}
}

// create signs every pooled account up (or in, when it exists already),
// conc at a time, so that the measured run signs in accounts that exist.
func (p *pool) create(ctx context.Context, r *runner, conc int) error {
	n := cap(p.free)
	accounts := make([]*account, 0, n)
	for range n {
		accounts = append(accounts, <-p.free)
	}
	defer func() {
		for _, a := range accounts {
			p.free <- a
		}
	}()
	next := make(chan *account)
	errs := make(chan error, conc)
	var wg sync.WaitGroup
	for range conc {
		wg.Go(func() {
			for a := range next {
				if err := r.flow(ctx, a, false); err != nil {
					errs <- fmt.Errorf("creating %s: %w", a.email, err)
					return
				}
			}
		})
	}
	var err error
feed:
	for _, a := range accounts {
		select {
		case next <- a:
		case err = <-errs:
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err == nil && len(errs) > 0 {
		err = <-errs
	}
	return err
}
