package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/signin"
)

// scrapeTimeout bounds the store's answer to one scrape.
const scrapeTimeout = 5 * time.Second

// StoreOperation times one of the store's operations (the function
// sqlstore.Store.ObserveTransactions takes).
func (m *Metrics) StoreOperation(op string, took time.Duration) {
	m.storeTxns.observe(op, took.Seconds())
}

// WatchBreaker registers the circuit breaker's counters, read from stats
// at every scrape (signin.Engine.Breaker).
func (m *Metrics) WatchBreaker(stats func() signin.BreakerStats) {
	m.reg.MustRegister(
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "otpd_failed_guesses_total",
			Help: "Failed guesses (wrong codes and passwords) from unfamiliar devices, counted against the service-wide budget.",
		}, func() float64 { return float64(stats().FailedGuesses) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "otpd_breaker_trips_total",
			Help: "Times the service-wide budget of failed guesses was found spent: an attack.",
		}, func() float64 { return float64(stats().Trips) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "otpd_breaker_open",
			Help: "Whether sign-in from unfamiliar devices is paused now (1) or not (0).",
		}, func() float64 {
			if stats().Open {
				return 1
			}
			return 0
		}),
	)
}

// Queued is what the outbox holds: how many messages are queued, and
// when the oldest of them was made (the zero time when none is).
type Queued func(ctx context.Context) (n int, oldest time.Time, err error)

// WatchOutbox registers the outbox's depth and the age of its oldest
// queued message, read through queued at every scrape; clock says how old.
func (m *Metrics) WatchOutbox(queued Queued, clock otpd.Clock) {
	m.reg.MustRegister(&outbox{queued: queued, clock: clock,
		depth: prometheus.NewDesc("otpd_outbox_queued_messages",
			"Messages waiting in the outbox to be sent.", nil, nil),
		age: prometheus.NewDesc("otpd_outbox_oldest_queued_age_seconds",
			"How long the oldest queued message has waited; 0 when none waits. /readyz fails past health.max_queue_age.", nil, nil),
	})
}

// outbox collects the outbox's gauges with one query per scrape.
type outbox struct {
	queued     Queued
	clock      otpd.Clock
	depth, age *prometheus.Desc
}

func (o *outbox) Describe(ch chan<- *prometheus.Desc) {
	ch <- o.depth
	ch <- o.age
}

func (o *outbox) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	n, oldest, err := o.queued(ctx)
	if err != nil {
		// The scrape goes on without these, and the handler logs err.
		ch <- prometheus.NewInvalidMetric(o.depth, err)
		ch <- prometheus.NewInvalidMetric(o.age, err)
		return
	}
	age := 0.0
	if n > 0 {
		age = max(0, o.clock.Now().Sub(oldest).Seconds())
	}
	ch <- prometheus.MustNewConstMetric(o.depth, prometheus.GaugeValue, float64(n))
	ch <- prometheus.MustNewConstMetric(o.age, prometheus.GaugeValue, age)
}
