package metrics_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/buildinfo"
	"github.com/otpd/otpd/fakeclock"
	"github.com/otpd/otpd/mail"
	"github.com/otpd/otpd/metrics"
	"github.com/otpd/otpd/metrics/metricstest"
	"github.com/otpd/otpd/signin"
	"github.com/otpd/otpd/web"
)

var _ web.RequestObserver = (*metrics.Metrics)(nil)

// serve starts m's handler and returns the URL of its /metrics.
func serve(t *testing.T, m *metrics.Metrics) string {
	t.Helper()
	srv := httptest.NewServer(m.Handler())
	t.Cleanup(srv.Close)
	return srv.URL + "/metrics"
}

func want(t *testing.T, s metricstest.Scraped, v float64, name string, labels ...string) {
	t.Helper()
	got, ok := s.Value(name, labels...)
	if !ok {
		t.Errorf("%s%q is missing", name, labels)
	} else if got != v {
		t.Errorf("%s%q = %v, want %v", name, labels, got, v)
	}
}

// The build info is one gauge with the version, commit and Go version as
// labels; the Go runtime and the process are there too.
func TestBuildInfoAndRuntime(t *testing.T) {
	s := metricstest.Scrape(t, serve(t, metrics.New(metrics.Options{})))
	bi := buildinfo.Read()
	want(t, s, 1, "otpd_build_info", "version", bi.Version, "revision", bi.Revision, "goversion", runtime.Version())
	for _, name := range []string{"go_goroutines", "go_memstats_alloc_bytes", "process_cpu_seconds_total", "process_resident_memory_bytes"} {
		if _, ok := s[name]; !ok {
			t.Errorf("%s is missing", name)
		}
	}
}

// Each observer's calls land in their family, under their typed label;
// the series of every known value are there from the start, at 0.
func TestObserversCount(t *testing.T) {
	m := metrics.New(metrics.Options{StoreOps: []string{"request_code", "verify_code"}})
	url := serve(t, m)
	s := metricstest.Scrape(t, url)
	want(t, s, 0, "otpd_code_requests_total", "outcome", "held_back")
	want(t, s, 0, "otpd_sign_ins_total", "method", "password", "outcome", "ok")
	want(t, s, 0, "otpd_limit_refusals_total", "limit", "password_network")
	want(t, s, 0, "otpd_code_verifications_total", "outcome", "locked")
	want(t, s, 0, "otpd_mail_deliveries_total", "result", "undeliverable")
	want(t, s, 0, "otpd_store_operation_duration_seconds", "operation", "verify_code")

	m.CodeRequested(signin.CodeQueued)
	m.CodeRequested(signin.CodeQueued)
	m.CodeRequested(signin.CodeRefused)
	m.Refused(signin.LimitCooldown)
	m.Verified(otpd.OutcomeWrong)
	m.SignedIn(signin.MethodCode, signin.SignInWrong)
	m.SignedIn(signin.MethodCode, signin.SignInOK)
	m.Delivered(mail.ResultRetry)
	m.Delivered(mail.ResultSent)
	m.StoreOperation("request_code", 3*time.Millisecond)
	m.Request("POST /api/v1/sign-in", 202, 4*time.Millisecond)
	m.Request("POST /api/v1/sign-in", 429, time.Millisecond)
	m.Request("", 404, time.Millisecond)

	s = metricstest.Scrape(t, url)
	want(t, s, 2, "otpd_code_requests_total", "outcome", "queued")
	want(t, s, 1, "otpd_code_requests_total", "outcome", "refused")
	want(t, s, 1, "otpd_limit_refusals_total", "limit", "cooldown")
	want(t, s, 1, "otpd_code_verifications_total", "outcome", "wrong")
	want(t, s, 1, "otpd_sign_ins_total", "method", "code", "outcome", "wrong")
	want(t, s, 1, "otpd_sign_ins_total", "method", "code", "outcome", "ok")
	want(t, s, 1, "otpd_mail_deliveries_total", "result", "retry")
	want(t, s, 1, "otpd_mail_deliveries_total", "result", "sent")
	want(t, s, 1, "otpd_store_operation_duration_seconds", "operation", "request_code")
	want(t, s, 1, "otpd_http_requests_total", "route", "POST /api/v1/sign-in", "code", "202")
	want(t, s, 1, "otpd_http_requests_total", "route", "POST /api/v1/sign-in", "code", "429")
	want(t, s, 2, "otpd_http_request_duration_seconds", "route", "POST /api/v1/sign-in")
	want(t, s, 1, "otpd_http_requests_total", "route", "none", "code", "404")
	h := s["otpd_http_request_duration_seconds"].GetMetric()[0].GetHistogram()
	if sum := h.GetSampleSum(); sum < 0.0049 || sum > 0.0051 {
		t.Errorf("durations sum to %vs, want 0.005s", sum)
	}
}

// The breaker's three series keep their names and read the engine's
// counters at every scrape.
func TestBreaker(t *testing.T) {
	m := metrics.New(metrics.Options{})
	stats := signin.BreakerStats{FailedGuesses: 3, Trips: 1, Open: true}
	m.WatchBreaker(func() signin.BreakerStats { return stats })
	url := serve(t, m)
	s := metricstest.Scrape(t, url)
	want(t, s, 3, "otpd_failed_guesses_total")
	want(t, s, 1, "otpd_breaker_trips_total")
	want(t, s, 1, "otpd_breaker_open")
	stats.Open = false
	want(t, metricstest.Scrape(t, url), 0, "otpd_breaker_open")
}

// The outbox's depth and oldest age are read at scrape, by the clock; a
// store that cannot answer leaves them out and the rest is still served.
func TestOutbox(t *testing.T) {
	m := metrics.New(metrics.Options{})
	clock := fakeclock.New(time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC))
	var (
		n      int
		oldest time.Time
		fail   error
	)
	m.WatchOutbox(func(context.Context) (int, time.Time, error) { return n, oldest, fail }, clock)
	url := serve(t, m)
	s := metricstest.Scrape(t, url)
	want(t, s, 0, "otpd_outbox_queued_messages")
	want(t, s, 0, "otpd_outbox_oldest_queued_age_seconds")

	n, oldest = 4, clock.Now()
	clock.Advance(90 * time.Second)
	s = metricstest.Scrape(t, url)
	want(t, s, 4, "otpd_outbox_queued_messages")
	want(t, s, 90, "otpd_outbox_oldest_queued_age_seconds")

	fail = errors.New("database is down")
	s = metricstest.Scrape(t, url)
	if _, ok := s["otpd_outbox_queued_messages"]; ok {
		t.Error("an outbox that cannot be read has a depth")
	}
	if _, ok := s["otpd_build_info"]; !ok {
		t.Error("a failing outbox stopped the scrape")
	}
}

// Only GET /metrics is served; whatever else is asked is refused, with
// nothing of it in the metrics.
func TestHandlerServesMetricsOnly(t *testing.T) {
	srv := httptest.NewServer(metrics.New(metrics.Options{}).Handler())
	defer srv.Close()
	for _, c := range []struct {
		method, path string
		status       int
	}{
		{"GET", "/metrics", 200},
		{"GET", "/metrics?name[]=go_goroutines&x=%ff", 200},
		{"HEAD", "/metrics", 200},
		{"POST", "/metrics", 405},
		{"DELETE", "/metrics", 405},
		{"GET", "/", 404},
		{"GET", "/metrics/x", 404},
		{"GET", "/healthz", 404},
		{"GET", "/../metrics", 200},
	} {
		req, _ := http.NewRequest(c.method, srv.URL+c.path, strings.NewReader("hostile body"))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.status {
			t.Errorf("%s %s: %d, want %d", c.method, c.path, resp.StatusCode, c.status)
		}
	}
	body := metricstest.Scrape(t, srv.URL+"/metrics")
	for family, values := range body.LabelValues() {
		for _, v := range values {
			if strings.Contains(v, "hostile") || strings.Contains(v, "healthz") {
				t.Errorf("%s has a label %q from a request", family, v)
			}
		}
	}
}

// Requests counted from many goroutines at once, across routes seen for
// the first time, all count.
func TestRequestsConcurrently(t *testing.T) {
	m := metrics.New(metrics.Options{})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				m.Request(fmt.Sprintf("GET /r%d", i%10), 200+g%2, time.Millisecond)
			}
		})
	}
	wg.Wait()
	s := metricstest.Scrape(t, serve(t, m))
	for r := range 10 {
		want(t, s, 80, "otpd_http_requests_total", "route", fmt.Sprintf("GET /r%d", r), "code", "200")
		want(t, s, 80, "otpd_http_requests_total", "route", fmt.Sprintf("GET /r%d", r), "code", "201")
		want(t, s, 160, "otpd_http_request_duration_seconds", "route", fmt.Sprintf("GET /r%d", r))
	}
}

// Counting allocates nothing once a series exists: the hot path is a map
// lookup and atomic adds.
func TestCountingDoesNotAllocate(t *testing.T) {
	m := metrics.New(metrics.Options{StoreOps: []string{"verify_code"}})
	m.Request("POST /api/v1/sign-in", 202, time.Millisecond)
	for name, f := range map[string]func(){
		"request":        func() { m.Request("POST /api/v1/sign-in", 202, time.Millisecond) },
		"code requested": func() { m.CodeRequested(signin.CodeQueued) },
		"sign-in":        func() { m.SignedIn(signin.MethodPassword, signin.SignInCodeNeeded) },
		"verified":       func() { m.Verified(otpd.OutcomeVerified) },
		"refused":        func() { m.Refused(signin.LimitIP) },
		"delivered":      func() { m.Delivered(mail.ResultSent) },
		"store":          func() { m.StoreOperation("verify_code", time.Millisecond) },
	} {
		if n := testing.AllocsPerRun(100, f); n != 0 {
			t.Errorf("%s: %v allocations, want 0", name, n)
		}
	}
}

func BenchmarkRequest(b *testing.B) {
	m := metrics.New(metrics.Options{})
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			m.Request("POST /api/v1/sign-in", 202, time.Millisecond)
		}
	})
}
