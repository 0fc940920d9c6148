package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// due is when the i-th flow (from 0) of an open loop at rate flows per
// second starts. Computed from the start rather than by adding an
// interval to the last one, so rounding does not accumulate, and a
// generator that wakes late catches up instead of drifting slower.
func due(start time.Time, rate float64, i int64) time.Time {
	return start.Add(time.Duration(float64(i) * float64(time.Second) / rate))
}

// planned is how many flows an open loop starts: rate × duration, capped
// by flows when that is set.
func planned(rate float64, d time.Duration, flows int64) int64 {
	n := int64(rate * d.Seconds())
	if flows > 0 && flows < n {
		return flows
	}
	return n
}

// parseRate reads "500/s", "500" or "30000/m" as flows per second.
func parseRate(s string) (float64, error) {
	num, unit, _ := strings.Cut(s, "/")
	per := time.Second
	switch unit {
	case "", "s":
	case "m", "min":
		per = time.Minute
	default:
		return 0, fmt.Errorf("rate %q: unit must be /s or /m", s)
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || v <= 0 {
		return 0, fmt.Errorf("rate %q: want a positive number of flows, such as 500/s", s)
	}
	return v * float64(time.Second) / float64(per), nil
}
