package main

import (
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/otpd/otpd/config"
	"github.com/otpd/otpd/fakeclock"
	"github.com/otpd/otpd/postgres/pgtest"
	"github.com/otpd/otpd/sqlite"
	"github.com/otpd/otpd/storetest"
)

type readiness struct {
	Status string `json:"status"`
	Checks []struct {
		Name  string `json:"name"`
		OK    bool   `json:"ok"`
		Error string `json:"error"`
	} `json:"checks"`
}

func getReadiness(t *testing.T, s *server, path string) (int, readiness) {
	t.Helper()
	resp, err := http.Get(s.url + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r readiness
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return resp.StatusCode, r
}

// names lists the checks, each with ok or its error.
func (r readiness) names() string {
	var b strings.Builder
	for _, c := range r.Checks {
		b.WriteString(c.Name)
		if !c.OK {
			b.WriteString("(" + c.Error + ")")
		}
		b.WriteString(" ")
	}
	return strings.TrimSpace(b.String())
}

// On SQLite /readyz asks the store, the outbox and the migrations, and
// all hold.
func TestReadyzOnSQLite(t *testing.T) {
	s := startServer(t, nil)
	status, r := getReadiness(t, s, "/readyz")
	if status != http.StatusOK || r.Status != "ok" || r.names() != "store outbox migrations" {
		t.Errorf("readyz = %d %+v", status, r)
	}
	if status, r := getReadiness(t, s, "/healthz"); status != http.StatusOK || r.Status != "ok" {
		t.Errorf("healthz = %d %+v", status, r)
	}
}

// A node over PostgreSQL and Redis is ready while both answer. When one
// stops (its proxy here closes: the shared servers stay up for other
// tests), /readyz answers 503 naming it, without its address, while
// /healthz, which asks nothing, stays 200: a load balancer takes the node
// out, and liveness does not restart it.
func TestReadyzWhenPostgresOrRedisStops(t *testing.T) {
	redis := redisURL(t)
	for _, stop := range []string{"store", "redis"} {
		t.Run(stop, func(t *testing.T) {
			// A schema of its own: each server makes a new secret, and
			// the signing keys a store holds are sealed with the first.
			_, dsn := pgtest.Schema(t)
			pg, rd := proxyURL(t, dsn), proxyURL(t, redis)
			s := startServer(t, map[string]string{"OTPD_DATABASE": pg.url, "OTPD_REDIS": rd.url})
			status, r := getReadiness(t, s, "/readyz")
			if status != http.StatusOK || r.names() != "store redis outbox migrations" {
				t.Fatalf("readyz with both up = %d %s", status, r.names())
			}
			p := pg
			if stop == "redis" {
				p = rd
			}
			p.close()
			status, r = getReadiness(t, s, "/readyz")
			if status != http.StatusServiceUnavailable || r.Status != "failing" {
				t.Fatalf("readyz with %s stopped = %d %s", stop, status, r.names())
			}
			for _, c := range r.Checks {
				if failed := c.Name == stop || (stop == "store" && c.Name != "redis"); c.OK == failed {
					t.Errorf("with %s stopped, check %s ok=%v (%s)", stop, c.Name, c.OK, c.Error)
				}
				if strings.Contains(c.Error, p.addr) || strings.Contains(c.Error, "127.0.0.1") {
					t.Errorf("check %s shows an address: %q", c.Name, c.Error)
				}
			}
			if status, _ := getReadiness(t, s, "/healthz"); status != http.StatusOK {
				t.Errorf("healthz with %s stopped = %d", stop, status)
			}
			if !strings.Contains(s.logs.String(), "readiness check failed") {
				t.Errorf("the failure's cause is not logged:\n%s", s.logs)
			}
		})
	}
}

// proxy forwards TCP connections to a server until close, which stops
// listening and cuts every connection, as a stopped server would.
type proxy struct {
	url, addr string
	ln        net.Listener
	mu        sync.Mutex
	conns     []net.Conn
	closed    bool
}

// proxyURL starts a proxy to the host of raw (a postgres:// or
// redis:// URL) and returns raw pointed at it.
func proxyURL(t *testing.T, raw string) *proxy {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	target := u.Host
	u.Host = ln.Addr().String()
	p := &proxy{url: u.String(), addr: u.Host, ln: ln}
	t.Cleanup(p.close)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			if !p.track(c, up) {
				return
			}
			go func() { io.Copy(up, c); up.Close() }()
			go func() { io.Copy(c, up); c.Close() }()
		}
	}()
	return p
}

func (p *proxy) track(cs ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		for _, c := range cs {
			c.Close()
		}
		return false
	}
	p.conns = append(p.conns, cs...)
	return true
}

func (p *proxy) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	p.closed = true
	p.ln.Close()
	for _, c := range p.conns {
		c.Close()
	}
}

// A message that waits past health.max_queue_age fails the outbox check
// with the age and the setting, so an operator sees that mail is not
// leaving; younger than that, the check holds.
func TestReadyzOutboxAge(t *testing.T) {
	store, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "otpd.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	queuedAt := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	if err := store.RequestCode(t.Context(), storetest.BenchRequest(queuedAt)); err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.Health.MaxQueueAge = config.Duration(5 * time.Minute)
	clock := fakeclock.New(queuedAt.Add(4 * time.Minute))
	outbox := func() error {
		for _, c := range readinessChecks(cfg, slog.New(slog.DiscardHandler), store, nil, clock) {
			if c.Name == "outbox" {
				return c.Run(t.Context())
			}
		}
		t.Fatal("no outbox check")
		return nil
	}
	if err := outbox(); err != nil {
		t.Errorf("a message queued 4 min ago fails the check: %v", err)
	}
	clock.Advance(2 * time.Minute)
	err = outbox()
	if err == nil || !strings.Contains(err.Error(), "waited 6m0s") || !strings.Contains(err.Error(), "health.max_queue_age 5m") {
		t.Errorf("a message queued 6 min ago: %v; want the age and the setting", err)
	}
}
