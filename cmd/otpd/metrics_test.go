package main

import (
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/otpd/otpd/metrics/metricstest"
)

// asDevice adds what a browser behind a proxy sends: an X-Forwarded-For
// and a User-Agent.
type asDevice struct{ ip, userAgent string }

func (d asDevice) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("X-Forwarded-For", d.ip)
	r.Header.Set("User-Agent", d.userAgent)
	return http.DefaultTransport.RoundTrip(r)
}

// Sign-ins over HTTP move the metrics on their own listener: requests by
// route, codes requested and sent, each verify, each sign-in, the limit
// that refused, the store's timings, the outbox, the breaker, the
// runtime and the build. Nothing a person sent or was given (address,
// IP, user agent, code, flow, token, account ID) is in any of it, and
// the public port has no /metrics.
func TestMetricsListener(t *testing.T) {
	s := startServer(t, map[string]string{"OTPD_TRUSTED_PROXIES": "127.0.0.1"})
	if strings.Contains(s.logs.String(), "beyond this host") {
		t.Errorf("a loopback metrics listener is warned about:\n%s", s.logs)
	}
	const ip, userAgent, email = "198.51.100.77", "Mozilla/5.0 MetricsProbe/7.3", "ada.metrics@example.com"
	c := s.client()
	c.HTTP = &http.Client{Transport: asDevice{ip, userAgent}}

	f, err := c.SignIn(ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	code := s.code(t, email, 0)
	wrong := "000000000"
	if code == wrong {
		wrong = "000000001"
	}
	if _, err := c.Verify(ctx, f.FlowID, wrong); err == nil {
		t.Fatal("a wrong code verified")
	}
	if _, err := c.Resend(ctx, f.FlowID); err == nil {
		t.Fatal("a resend within the cooldown was let through")
	}
	in, err := c.Verify(ctx, f.FlowID, code)
	if err != nil {
		t.Fatal(err)
	}
	c.Token = in.SessionToken
	me, err := c.Me(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.PasswordSignIn(ctx, "grace.metrics@example.com", "not a password anyone has"); err == nil {
		t.Fatal("a password signed in to an address without an account")
	}

	scraped := metricstest.Scrape(t, s.metrics(t))
	for _, w := range []struct {
		value  float64
		name   string
		labels []string
	}{
		{1, "otpd_code_requests_total", []string{"outcome", "queued"}},
		{1, "otpd_code_requests_total", []string{"outcome", "refused"}},
		{1, "otpd_limit_refusals_total", []string{"limit", "cooldown"}},
		{1, "otpd_code_verifications_total", []string{"outcome", "wrong"}},
		{1, "otpd_code_verifications_total", []string{"outcome", "verified"}},
		{1, "otpd_sign_ins_total", []string{"method", "code", "outcome", "wrong"}},
		{1, "otpd_sign_ins_total", []string{"method", "code", "outcome", "ok"}},
		{1, "otpd_sign_ins_total", []string{"method", "password", "outcome", "wrong"}},
		{1, "otpd_mail_deliveries_total", []string{"result", "sent"}},
		{1, "otpd_http_requests_total", []string{"route", "POST /api/v1/sign-in", "code", "202"}},
		{1, "otpd_http_requests_total", []string{"route", "POST /api/v1/flows/{flow_id}/verify", "code", "200"}},
		{1, "otpd_http_requests_total", []string{"route", "POST /api/v1/flows/{flow_id}/resend", "code", "429"}},
		{2, "otpd_http_request_duration_seconds", []string{"route", "POST /api/v1/flows/{flow_id}/verify"}},
		{2, "otpd_store_operation_duration_seconds", []string{"operation", "request_code"}},
		{0, "otpd_outbox_queued_messages", nil},
		{0, "otpd_breaker_open", nil},
		{1, "otpd_build_info", nil},
	} {
		got, ok := scraped.Value(w.name, w.labels...)
		if !ok || got != w.value {
			t.Errorf("%s%q = %v (there: %v), want %v", w.name, w.labels, got, ok, w.value)
		}
	}
	for _, name := range []string{"otpd_outbox_oldest_queued_age_seconds", "otpd_failed_guesses_total",
		"otpd_breaker_trips_total", "go_goroutines", "process_cpu_seconds_total"} {
		if _, ok := scraped[name]; !ok {
			t.Errorf("%s is missing", name)
		}
	}
	if n, _ := scraped.Value("otpd_store_operation_duration_seconds", "operation", "verify_code"); n < 2 {
		t.Errorf("%v verify_code operations timed, want 2 at least", n)
	}

	secrets := []string{email, "grace.metrics", "example.com", ip, "198.51.100", "MetricsProbe", code, wrong,
		f.FlowID, in.SessionToken, me.ID}
	for family, values := range scraped.LabelValues() {
		for _, v := range values {
			for _, secret := range secrets {
				if strings.Contains(v, secret) {
					t.Errorf("%s has a label %q that holds %q", family, v, secret)
				}
			}
		}
	}
	resp, err := http.Get(s.metrics(t))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	// The codes are digits, which values are made of too: they are
	// looked for in the labels only.
	for _, secret := range slices.DeleteFunc(secrets, func(s string) bool { return s == code || s == wrong }) {
		if strings.Contains(string(body), secret) {
			t.Errorf("the metrics hold %q", secret)
		}
	}

	public, err := http.Get(s.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	public.Body.Close()
	if public.StatusCode != http.StatusNotFound {
		t.Errorf("the public port answers /metrics with %d, want 404", public.StatusCode)
	}
}

// metrics_listen = "off" serves no metrics, anywhere.
func TestMetricsOff(t *testing.T) {
	s := startServer(t, nil, "--metrics-listen", "off")
	if strings.Contains(s.logs.String(), "serving metrics") {
		t.Errorf("metrics are served with metrics_listen off:\n%s", s.logs)
	}
	resp, err := http.Get(s.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /metrics: %d, want 404", resp.StatusCode)
	}
}

// A metrics address that cannot be listened on stops the server with an
// error that names the setting.
func TestMetricsPortTaken(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, _, err = runCmd(t, nil, "serve", "--listen", "127.0.0.1:0", "--metrics-listen", ln.Addr().String(), "--data", t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "metrics_listen") {
		t.Errorf("serve with its metrics port taken: %v, want an error naming metrics_listen", err)
	}
}
