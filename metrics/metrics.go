// Package metrics is otpd's Prometheus metrics: one registry of its own
// (never the global one), fed by the observers the engine (signin), the
// outbox worker (mail), the store (internal/sqlstore) and the web define,
// which Metrics implements, and read at scrape time from the breaker and
// the outbox. Only cmd/otpd wires it, and serves Handler on a listener of
// its own, apart from the public port.
//
// Every label value comes from a fixed set: route patterns, statuses, and
// the typed outcomes of the packages it observes. No address, IP, code,
// token, account ID or user agent ever reaches a label.
package metrics

import (
	"log/slog"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/buildinfo"
	"github.com/otpd/otpd/mail"
	"github.com/otpd/otpd/signin"
)

// Options configure Metrics.
type Options struct {
	// StoreOps are the names of the store's operations
	// (sqlstore.Ops), whose series exist from the start.
	StoreOps []string
	// Log receives scrape errors, such as an outbox that cannot be
	// read; nil discards them.
	Log *slog.Logger
}

// Metrics holds the registry and every series otpd keeps. Its methods
// are safe for concurrent use; counting is an atomic add on a series
// resolved in advance (or, for the first answer of a route and status,
// once under a lock).
type Metrics struct {
	reg *prometheus.Registry
	log *slog.Logger

	http      *httpMetrics
	codes     *counters[signin.CodeOutcome]
	refusals  *counters[signin.Limit]
	verifies  *counters[otpd.VerifyOutcome]
	signIns   *signInCounters
	mail      *counters[mail.Result]
	storeTxns *durations
}

// New returns Metrics with the Go runtime's and the process's collectors
// and otpd_build_info registered.
func New(o Options) *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{reg: reg, log: o.Log}
	if m.log == nil {
		m.log = slog.New(slog.DiscardHandler)
	}
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	bi := buildinfo.Read()
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name:        "otpd_build_info",
		Help:        "The build that serves: module version, commit and Go version.",
		ConstLabels: prometheus.Labels{"version": bi.Version, "revision": bi.Revision, "goversion": bi.GoVersion},
	}, func() float64 { return 1 }))
	m.http = newHTTPMetrics(reg)
	m.newEngineMetrics(reg)
	m.mail = newCounters(reg, prometheus.CounterOpts{
		Name: "otpd_mail_deliveries_total",
		Help: "Delivery attempts of the outbox worker, by result: sent, retry (due again later), failed (refused for good, or not composable), undeliverable (the code expired first).",
	}, "result", mail.Results)
	m.storeTxns = newDurations(reg, prometheus.HistogramOpts{
		Name:    "otpd_store_operation_duration_seconds",
		Help:    "How long the store's main operations took, waiting for the writer and committing included, by operation.",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
	}, "operation", o.StoreOps)
	return m
}

// Handler serves the registry in Prometheus's exposition formats at
// GET /metrics; any other path is not found.
func (m *Metrics) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		ErrorLog:      slog.NewLogLogger(m.log.Handler(), slog.LevelWarn),
		ErrorHandling: promhttp.ContinueOnError,
		Registry:      m.reg,
	}))
	return mux
}

// Registry is the registry the series are kept in, for tests that
// gather them directly.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }
