package metrics

import (
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// unmatchedRoute labels a request no route pattern matched.
const unmatchedRoute = "none"

// httpKey is one request series' labels: a route pattern and a status.
type httpKey struct {
	route  string
	status int
}

// httpSeries are the children one route and status count into.
type httpSeries struct {
	count    prometheus.Counter
	duration prometheus.Observer
}

// httpMetrics count requests by route pattern and status, and time them
// by route pattern. Routes and statuses are not known in advance, so
// their children are resolved on a route and status's first request and
// kept in a map that is copied on every such first, never written in
// place: the common path reads it without a lock. There are as many
// keys as the route table has patterns times the statuses they answer.
type httpMetrics struct {
	requests  *prometheus.CounterVec
	durations *prometheus.HistogramVec

	mu     sync.Mutex // serialises adding to series
	series atomic.Pointer[map[httpKey]httpSeries]
}

func newHTTPMetrics(reg prometheus.Registerer) *httpMetrics {
	h := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "otpd_http_requests_total",
			Help: "HTTP requests answered on the public port, by route pattern (none: no route matched) and status code.",
		}, []string{"route", "code"}),
		durations: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "otpd_http_request_duration_seconds",
			Help:    "How long the public port took to answer, by route pattern.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route"}),
	}
	h.series.Store(&map[httpKey]httpSeries{})
	reg.MustRegister(h.requests, h.durations)
	return h
}

// Request counts and times one answer (web.RequestObserver); route is the
// pattern the mux matched, "" when none did.
func (m *Metrics) Request(route string, status int, took time.Duration) {
	if route == "" {
		route = unmatchedRoute
	}
	s := m.http.seriesFor(httpKey{route, status})
	s.count.Inc()
	s.duration.Observe(took.Seconds())
}

func (h *httpMetrics) seriesFor(k httpKey) httpSeries {
	if s, ok := (*h.series.Load())[k]; ok {
		return s
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	old := *h.series.Load()
	if s, ok := old[k]; ok {
		return s
	}
	s := httpSeries{
		count:    h.requests.WithLabelValues(k.route, strconv.Itoa(k.status)),
		duration: h.durations.WithLabelValues(k.route),
	}
	next := make(map[httpKey]httpSeries, len(old)+1)
	for key, v := range old {
		next[key] = v
	}
	next[k] = s
	h.series.Store(&next)
	return s
}
