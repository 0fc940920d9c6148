package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/config"
	"github.com/otpd/otpd/internal/sqlstore"
	"github.com/otpd/otpd/metrics"
)

// observedStore is what the metrics read from the SQL stores (sqlite and
// postgres, through internal/sqlstore).
type observedStore interface {
	Queued(ctx context.Context) (n int, oldest time.Time, err error)
	ObserveTransactions(f func(op string, took time.Duration))
}

// newMetrics makes the metrics when metrics_listen asks for them, and
// has the store time its operations into them; nil when it is off.
func newMetrics(cfg config.Config, log *slog.Logger, store otpd.Store, clock otpd.Clock) *metrics.Metrics {
	if !cfg.MetricsOn() {
		return nil
	}
	m := metrics.New(metrics.Options{StoreOps: sqlstore.Ops(), Log: log})
	if s, ok := store.(observedStore); ok {
		s.ObserveTransactions(m.StoreOperation)
		m.WatchOutbox(s.Queued, clock)
	}
	return m
}

// serveMetrics serves m on cfg.MetricsListen, a listener of its own,
// until stop is called; with m nil it serves nothing.
func serveMetrics(cfg config.Config, log *slog.Logger, m *metrics.Metrics) (stop func(), err error) {
	if m == nil {
		return func() {}, nil
	}
	ln, err := net.Listen("tcp", cfg.MetricsListen)
	if err != nil {
		return nil, fmt.Errorf("metrics_listen: listen on %s: %w", cfg.MetricsListen, err)
	}
	srv := &http.Server{
		Handler:           m.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics listener stopped", "err", err)
		}
	}()
	log.Info("serving metrics", "url", "http://"+ln.Addr().String()+"/metrics")
	if ap, err := netip.ParseAddrPort(ln.Addr().String()); err == nil && !ap.Addr().IsLoopback() {
		// The counters move with each request: whoever scrapes them while
		// asking for a code learns whether its address has an account.
		log.Warn("metrics are reachable beyond this host: let only your scraper reach them", "listen", cfg.MetricsListen)
	}
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
		defer cancel()
		srv.Shutdown(ctx)
		<-done
	}, nil
}
