package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/otpd/otpd/client"
)

// stuckFloor answers like the floor, but holds every request until
// release is closed.
func stuckFloor(t *testing.T, release chan struct{}) *runner {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release
		json.NewEncoder(w).Encode(map[string]string{"flow_id": "f", "code": "123456789", "session_token": "s"})
	}))
	t.Cleanup(srv.Close)
	api := &client.Client{BaseURL: srv.URL, HTTP: &http.Client{Transport: newTransport(8, 10*time.Second)}}
	return &runner{api: api, rec: newRecorder(), timeout: 10 * time.Second, floor: true}
}

// The open loop does not wait for a server that falls behind: a flow due
// while --max-inflight flows are unfinished is an error, not a late start.
func TestOpenLoopCountsFlowsItCannotStart(t *testing.T) {
	release := make(chan struct{})
	r := stuckFloor(t, release)
	go func() {
		for r.rec.summary().errors["generator: --max-inflight flows unfinished"] < 3 {
			time.Sleep(time.Millisecond)
		}
		close(release)
	}()
	p := plan{rate: 1000, duration: time.Minute, flows: 5, maxInflight: 2}
	r.openLoop(t.Context(), p, newPool(0))
	s := r.rec.summary()
	if s.flows != 2 || s.errors["generator: --max-inflight flows unfinished"] != 3 {
		t.Errorf("%d flows, errors %v; want 2 flows and 3 that could not start", s.flows, s.errors)
	}
}

// With every pre-created account in a flow, the next due flow has none.
func TestOpenLoopCountsBusyAccounts(t *testing.T) {
	release := make(chan struct{})
	r := stuckFloor(t, release)
	go func() {
		for r.rec.summary().errors["generator: every account busy"] < 2 {
			time.Sleep(time.Millisecond)
		}
		close(release)
	}()
	r.openLoop(t.Context(), plan{rate: 1000, duration: time.Minute, flows: 3, maxInflight: 10}, newPool(1))
	if s := r.rec.summary(); s.flows != 1 || s.errors["generator: every account busy"] != 2 {
		t.Errorf("%d flows, errors %v; want 1 flow and 2 without an account", s.flows, s.errors)
	}
}

// The closed loop stops at --flows, and an interrupted run at once.
func TestClosedLoopStops(t *testing.T) {
	release := make(chan struct{})
	close(release)
	r := stuckFloor(t, release)
	r.closedLoop(t.Context(), plan{concurrency: 3, duration: time.Minute, flows: 7}, newPool(3))
	if s := r.rec.summary(); s.flows != 7 || len(s.errors) != 0 {
		t.Errorf("%d flows, errors %v; want 7 and none", s.flows, s.errors)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	r.rec.reset()
	r.closedLoop(ctx, plan{concurrency: 3, duration: time.Minute}, newPool(0))
	if s := r.rec.summary(); s.flows != 0 || len(s.errors) != 0 {
		t.Errorf("after cancel: %d flows, errors %v; want none", s.flows, s.errors)
	}
}

// An account whose code never came is not signed in again: its message
// may still arrive, and would be taken for the next flow's.
func TestLostCodeRetiresTheAccount(t *testing.T) {
	requested := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requested++
		json.NewEncoder(w).Encode(map[string]string{"flow_id": "f"})
	}))
	defer srv.Close()
	r := &runner{api: client.New(srv.URL), rec: newRecorder(), timeout: 10 * time.Millisecond, codes: silentSource{}}
	a := &account{email: "user0@load.test"}
	if r.measure(t.Context(), a, time.Now()) {
		t.Error("an account whose code never came is given back")
	}
	if requested != 1 {
		t.Errorf("%d code requests, want the one whose code never came", requested)
	}
}

// silentSource watches for codes that never come.
type silentSource struct{}

func (silentSource) expect(context.Context, *account) (func(context.Context) (string, error), error) {
	return func(ctx context.Context) (string, error) {
		<-ctx.Done()
		return "", ctx.Err()
	}, nil
}
