package main

import (
	"testing"
	"time"
)

func TestDueSpreadsFlowsEvenly(t *testing.T) {
	start := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		rate float64
		i    int64
		want time.Duration
	}{
		{500, 0, 0},
		{500, 1, 2 * time.Millisecond},
		{500, 500, time.Second},
		{500, 30_000, time.Minute},
		{3, 1, 333_333_333},
		// Computed from the start, a third of a nanosecond per flow does
		// not add up to drift.
		{3, 3_000_000, 1_000_000 * time.Second},
		{0.5, 3, 6 * time.Second},
	}
	for _, tt := range tests {
		if got := due(start, tt.rate, tt.i).Sub(start); got != tt.want {
			t.Errorf("due(rate %v, flow %d) = start+%v, want start+%v", tt.rate, tt.i, got, tt.want)
		}
	}
}

func TestPlanned(t *testing.T) {
	tests := []struct {
		rate  float64
		d     time.Duration
		flows int64
		want  int64
	}{
		{500, 10 * time.Second, 0, 5000},
		{500, 10 * time.Second, 100, 100},
		{500, 10 * time.Second, 9000, 5000},
		{2.5, 3 * time.Second, 0, 7},
	}
	for _, tt := range tests {
		if got := planned(tt.rate, tt.d, tt.flows); got != tt.want {
			t.Errorf("planned(%v, %v, %d) = %d, want %d", tt.rate, tt.d, tt.flows, got, tt.want)
		}
	}
}

func TestParseRate(t *testing.T) {
	for in, want := range map[string]float64{"500/s": 500, "500": 500, "30000/m": 500, "1.5/s": 1.5, "90/min": 1.5} {
		if got, err := parseRate(in); err != nil || got != want {
			t.Errorf("parseRate(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "0/s", "-5/s", "fast", "500/h", "500/s/s"} {
		if got, err := parseRate(in); err == nil {
			t.Errorf("parseRate(%q) = %v, want an error", in, got)
		}
	}
}
