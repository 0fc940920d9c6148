package main

import (
	"testing"
	"time"
)

func TestPercentileIsNearestRank(t *testing.T) {
	hundred := make([]float64, 100)
	for i := range hundred {
		hundred[i] = float64(i + 1)
	}
	tests := []struct {
		name   string
		sorted []float64
		p      float64
		want   float64
	}{
		{"none", nil, 99, 0},
		{"one", []float64{7}, 50, 7},
		{"one at p99", []float64{7}, 99, 7},
		{"median of four is the second", []float64{1, 2, 3, 4}, 50, 2},
		{"p50 of 1..100", hundred, 50, 50},
		{"p95 of 1..100", hundred, 95, 95},
		{"p99 of 1..100", hundred, 99, 99},
		{"p100 is the largest", hundred, 100, 100},
		{"p99 of ten is the largest", []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 99, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := percentile(tt.sorted, tt.p); got != tt.want {
				t.Errorf("percentile(%v, %v) = %v, want %v", tt.sorted, tt.p, got, tt.want)
			}
		})
	}
}

func TestRecorderSummary(t *testing.T) {
	r := newRecorder()
	for _, ms := range []int{30, 10, 20} {
		r.step(stepRequest, time.Duration(ms)*time.Millisecond)
	}
	r.done(50 * time.Millisecond)
	r.fail("verify: 400 invalid_code")
	r.fail("verify: 400 invalid_code")
	r.poll()
	s := r.summary()
	req := s.steps[stepRequest]
	if req.Count != 3 || req.P50 != 20 || req.P99 != 30 || req.Max != 30 {
		t.Errorf("request = %+v, want count 3, p50 20, p99 30, max 30", req)
	}
	if s.flows != 1 || s.steps[stepFlow].P50 != 50 {
		t.Errorf("flows = %d, flow step %+v; want 1 flow of 50 ms", s.flows, s.steps[stepFlow])
	}
	if s.errors["verify: 400 invalid_code"] != 2 || s.polls != 1 {
		t.Errorf("errors %v, polls %d", s.errors, s.polls)
	}
	r.reset()
	if s := r.summary(); s.flows != 0 || len(s.steps) != 0 || len(s.errors) != 0 || s.polls != 0 {
		t.Errorf("after reset: %+v", s)
	}
}
