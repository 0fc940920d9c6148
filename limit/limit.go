// Package limit counts events per key and says when there were too many.
//
// Every limiter here runs GCRA, the generic cell rate algorithm: per key it
// keeps one number, the theoretical arrival time (TAT) at which the key would
// be back to a clean slate. That makes a limit exact (no fixed windows whose
// edges allow twice the rate), cheap (one timestamp per key, no logs of
// events) and easy to do atomically (one read-modify-write per event).
//
// The caller passes the time of each event. Tests move it instead of
// sleeping, and limiters shared by several nodes agree on the state even if
// the nodes' clocks differ: a skewed node only shifts its own view of the
// window by the skew, it never corrupts the state of the others.
package limit

// decide runs one GCRA step in any time unit: tat is the stored theoretical
// arrival time (or anything <= now for a fresh key), interval and window come
// from the Rate in the same unit. It returns the decision in that unit and the
// TAT to store when allowed.
func decide(tat, now, interval, window int64) (allowed bool, newTAT, retryAfter, remaining int64) {
	newTAT = max(tat, now) + interval
	ahead := newTAT - now
	if ahead > window {
		return false, tat, ahead - window, 0
	}
	return true, newTAT, 0, (window - ahead) / interval
}
