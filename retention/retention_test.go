package retention_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/fakeclock"
	"github.com/otpd/otpd/retention"
	"github.com/otpd/otpd/sqlite"
)

var t0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

const day = 24 * time.Hour

// requestCodes records n code requests for new addresses at at.
func requestCodes(t *testing.T, s otpd.Store, n int, at time.Time) {
	t.Helper()
	for i := range n {
		addr := otpd.MustParseAddress(fmt.Sprintf("user%d-%d@example.com", at.Unix(), i))
		id := fmt.Sprintf("c-%d-%d", at.Unix(), i)
		err := s.RequestCode(t.Context(), otpd.CodeRequest{
			Challenge: otpd.Challenge{ID: id, FlowID: "f-" + id, Purpose: otpd.PurposeSignUp, Email: addr,
				CodeMAC: []byte("mac"), CreatedAt: at, ExpiresAt: at.Add(10 * time.Minute), MaxAttempts: 5},
			Message: otpd.OutboxMessage{ID: "m-" + id, ChallengeID: id, MessageID: "<" + id + "@otpd.test>",
				Kind: otpd.MessageCode, To: addr, Payload: []byte("sealed"), CreatedAt: at,
				NotAfter: at.Add(10 * time.Minute), NextAttempt: at},
			Event: otpd.Event{ID: "e-" + id, At: at, Email: addr, FlowID: "f-" + id},
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// A round works off a backlog batch by batch, says what it deleted, and
// leaves what is younger than its age.
func TestRoundPrunesInBatchesAndSaysWhat(t *testing.T) {
	s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "otpd.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	requestCodes(t, s, 7, t0)
	requestCodes(t, s, 2, t0.Add(300*day))
	var logs bytes.Buffer
	clock := fakeclock.New(t0.Add(401 * day))
	counted := &countingPruner{Store: s}
	job := &retention.Job{Store: counted, Clock: clock, Log: slog.New(slog.NewTextHandler(&logs, nil)),
		Ages: otpd.PruneRequest{Events: 400 * day}, Interval: time.Hour, Batch: 3}

	res, err := job.RunOnce(t.Context())
	if err != nil || res.Events != 7 {
		t.Fatalf("RunOnce = %+v, %v; want the 7 old events", res, err)
	}
	// 3, 3 and 1: the last batch, not full, ends the round.
	if fmt.Sprint(counted.limits) != "[3 3 3]" {
		t.Errorf("Prune called with limits %v, want [3 3 3]: three batches of at most 3", counted.limits)
	}
	if !strings.Contains(logs.String(), `msg="retention: pruned" events=7 challenges=0`) {
		t.Errorf("log does not say what was pruned:\n%s", logs.String())
	}
	logs.Reset()
	if res, err := job.RunOnce(t.Context()); err != nil || res != (otpd.PruneResult{}) || logs.Len() != 0 {
		t.Errorf("a second round = %+v, %v, logged %q; want nothing", res, err, logs.String())
	}
}

// countingPruner is a real store that notes each Prune's limit.
type countingPruner struct {
	otpd.Store
	limits []int
}

func (c *countingPruner) Prune(ctx context.Context, req otpd.PruneRequest) (otpd.PruneResult, error) {
	c.limits = append(c.limits, req.Limit)
	return c.Store.Prune(ctx, req)
}

// fakePruner hands out results in turn, and records each request.
type fakePruner struct {
	mu      sync.Mutex
	results []otpd.PruneResult
	errs    []error
	reqs    []otpd.PruneRequest
}

func (f *fakePruner) Prune(_ context.Context, req otpd.PruneRequest) (otpd.PruneResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	i := len(f.reqs)
	f.reqs = append(f.reqs, req)
	var res otpd.PruneResult
	var err error
	if i < len(f.results) {
		res, err = f.results[i], f.errs[i]
	}
	return res, err
}

func (f *fakePruner) requests() []otpd.PruneRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]otpd.PruneRequest(nil), f.reqs...)
}

// While another node prunes, a round skips at once and says nothing at
// the info level.
func TestRoundSkipsWhileAnotherPrunes(t *testing.T) {
	p := &fakePruner{results: []otpd.PruneResult{{Skipped: true}}, errs: []error{nil}}
	var logs bytes.Buffer
	job := &retention.Job{Store: p, Clock: fakeclock.New(t0), Log: slog.New(slog.NewTextHandler(&logs, nil)),
		Ages: otpd.PruneRequest{Events: day}, Interval: time.Hour}
	res, err := job.RunOnce(t.Context())
	if err != nil || !res.Skipped || len(p.requests()) != 1 || logs.Len() != 0 {
		t.Errorf("RunOnce = %+v, %v after %d calls, logged %q; want one skipped call, quietly", res, err, len(p.requests()), logs.String())
	}
}

// Run prunes at start and then every interval, as the clock moves; a
// failed round is logged and the next one runs.
func TestRunEveryInterval(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := &fakePruner{
			results: []otpd.PruneResult{{}, {Sessions: 1}, {}},
			errs:    []error{errors.New("database is down"), nil, nil},
		}
		var logs bytes.Buffer
		job := &retention.Job{Store: p, Clock: otpd.SystemClock{}, Log: slog.New(slog.NewTextHandler(&logs, nil)),
			Ages: otpd.PruneRequest{Events: day, Sessions: time.Hour}, Interval: time.Hour}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error)
		go func() { done <- job.Run(ctx) }()
		time.Sleep(2*time.Hour + time.Minute)
		synctest.Wait()
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
		reqs := p.requests()
		if len(reqs) != 3 {
			t.Fatalf("%d rounds in two hours and a minute, want 3", len(reqs))
		}
		for i, r := range reqs {
			if r.Events != day || r.Sessions != time.Hour || r.Limit != retention.DefaultBatch ||
				(i > 0 && r.Now.Sub(reqs[i-1].Now) != time.Hour) {
				t.Errorf("round %d: %+v, want the ages, the default batch, an hour after the last", i, r)
			}
		}
		if !strings.Contains(logs.String(), "database is down") || !strings.Contains(logs.String(), "sessions=1") {
			t.Errorf("log:\n%s", logs.String())
		}
	})
	if err := (&retention.Job{Store: &fakePruner{}, Clock: otpd.SystemClock{}}).Run(t.Context()); err == nil {
		t.Error("Run with no interval started")
	}
}
