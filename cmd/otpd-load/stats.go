package main

import (
	"maps"
	"math"
	"slices"
	"sync"
	"time"
)

// The steps of one flow, in the order they run. "flow" is the whole of
// it, measured from when the flow was due to start, so that in the open
// loop a server that falls behind shows in the latency instead of slowing
// the generator down (coordinated omission).
const (
	stepRequest = "request"
	stepRead    = "read"
	stepVerify  = "verify"
	stepMe      = "me"
	stepFlow    = "flow"
)

// recorder collects latencies per step and errors per kind. It is safe
// for concurrent use: every flow records into it as it goes.
type recorder struct {
	mu     sync.Mutex
	steps  map[string][]float64 // milliseconds
	errors map[string]int
	flows  int // completed without error
	// polls counts dev mailbox reads, and messages the SMTP sink's
	// messages: both are load on the server beyond the flows.
	polls, messages int
}

func newRecorder() *recorder {
	return &recorder{steps: map[string][]float64{}, errors: map[string]int{}}
}

func (r *recorder) step(name string, d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.steps[name] = append(r.steps[name], float64(d)/float64(time.Millisecond))
}

func (r *recorder) fail(kind string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors[kind]++
}

func (r *recorder) poll() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.polls++
}

func (r *recorder) message() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.messages++
}

// reset forgets everything recorded, so that the accounts' creation is
// not measured with the run.
func (r *recorder) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.steps, r.errors = map[string][]float64{}, map[string]int{}
	r.flows, r.polls, r.messages = 0, 0, 0
}

func (r *recorder) done(d time.Duration) {
	r.step(stepFlow, d)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.flows++
}

// latency is one step's distribution.
type latency struct {
	Count int     `json:"count"`
	P50   float64 `json:"p50_ms"`
	P95   float64 `json:"p95_ms"`
	P99   float64 `json:"p99_ms"`
	Max   float64 `json:"max_ms"`
}

// snapshot is what a recorder holds at one moment, summed up.
type snapshot struct {
	steps           map[string]latency
	flows           int
	errors          map[string]int
	polls, messages int
}

// summary sums up what has been recorded so far.
func (r *recorder) summary() snapshot {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := snapshot{steps: make(map[string]latency, len(r.steps)), flows: r.flows,
		errors: maps.Clone(r.errors), polls: r.polls, messages: r.messages}
	for name, ms := range r.steps {
		sorted := slices.Clone(ms)
		slices.Sort(sorted)
		out.steps[name] = latency{Count: len(sorted), P50: percentile(sorted, 50), P95: percentile(sorted, 95),
			P99: percentile(sorted, 99), Max: sorted[len(sorted)-1]}
	}
	return out
}

// percentile returns the nearest-rank p-th percentile of sorted values:
// the smallest value that at least p % of them do not exceed. Unlike
// interpolation, it is always a latency that was observed; 0 when there
// are none.
func percentile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	return sorted[max(rank, 1)-1]
}
