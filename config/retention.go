package config

import "time"

// Least ages retention accepts, besides 0s (keep for ever).
const (
	// The owner must see at least a month of who asked for codes.
	minEventsAge = 30 * 24 * time.Hour
	// The per-address daily cap counts the challenges of the last day;
	// deleting them sooner would let it be passed.
	minChallengesAge = 24 * time.Hour
	// An ended session's row is kept at least through the hour.
	minSessionsAge = time.Hour
)

func (c Config) retentionProblems(bad func(key, format string, args ...any)) {
	for _, a := range []struct {
		key string
		v   Duration
		min time.Duration
	}{
		{"retention.events", c.Retention.Events, minEventsAge},
		{"retention.challenges", c.Retention.Challenges, minChallengesAge},
		{"retention.sessions", c.Retention.Sessions, minSessionsAge},
	} {
		if d := time.Duration(a.v); d != 0 && d < a.min {
			bad(a.key, "must be 0s (keep for ever) or at least %s, got %s", Duration(a.min), a.v)
		}
	}
	durationBetween(bad, "retention.interval", c.Retention.Interval, time.Minute, 24*time.Hour)
}
