package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
)

// counters is a counter vector of one label whose children for a fixed
// set of values are resolved once, so that counting costs a map lookup
// and an atomic add. A value outside the set (a constant added to the
// observed package since) is still counted, through the vector.
type counters[K ~string] struct {
	vec  *prometheus.CounterVec
	kids map[K]prometheus.Counter
}

func newCounters[K ~string](reg prometheus.Registerer, opts prometheus.CounterOpts, label string, values []K) *counters[K] {
	c := &counters[K]{vec: prometheus.NewCounterVec(opts, []string{label}), kids: make(map[K]prometheus.Counter, len(values))}
	for _, v := range values {
		c.kids[v] = c.vec.WithLabelValues(string(v))
	}
	reg.MustRegister(c.vec)
	return c
}

func (c *counters[K]) inc(v K) {
	if k, ok := c.kids[v]; ok {
		k.Inc()
		return
	}
	c.vec.WithLabelValues(string(v)).Inc()
}

// durations is counters' histogram: one label, children resolved once.
type durations struct {
	vec  *prometheus.HistogramVec
	kids map[string]prometheus.Observer
}

func newDurations(reg prometheus.Registerer, opts prometheus.HistogramOpts, label string, values []string) *durations {
	d := &durations{vec: prometheus.NewHistogramVec(opts, []string{label}), kids: make(map[string]prometheus.Observer, len(values))}
	for _, v := range values {
		d.kids[v] = d.vec.WithLabelValues(v)
	}
	reg.MustRegister(d.vec)
	return d
}

func (d *durations) observe(v string, seconds float64) {
	if k, ok := d.kids[v]; ok {
		k.Observe(seconds)
		return
	}
	d.vec.WithLabelValues(v).Observe(seconds)
}
