package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/otpd/otpd/metrics/metricstest"
)

// When the service's budget of failed guesses is spent, the operator sees
// it in the log and in the metrics, and sign-in from new devices pauses.
func TestBreakerAlertsOperator(t *testing.T) {
	s := startServer(t, map[string]string{
		"OTPD_LIMITS_FAILED_GUESSES_PER_HOUR": "2",
		"OTPD_LIMITS_CODES_PER_IP_PER_HOUR":   "0",
	})
	c := s.client()
	var last error
	for i := range 4 {
		f, err := c.SignIn(ctx, fmt.Sprintf("victim%d@example.com", i))
		if err != nil {
			t.Fatal(err)
		}
		_, last = c.Verify(ctx, f.FlowID, "000000000")
	}
	if !strings.Contains(fmt.Sprint(last), "paused") {
		t.Errorf("a guess after the budget was spent: %v, want a pause", last)
	}
	if !strings.Contains(s.logs.String(), "attack in progress") {
		t.Errorf("no alert in the log:\n%s", s.logs)
	}
	scraped := metricstest.Scrape(t, s.metrics(t))
	for name, want := range map[string]float64{"otpd_breaker_trips_total": 1, "otpd_breaker_open": 1, "otpd_failed_guesses_total": 3} {
		if got, ok := scraped.Value(name); !ok || got != want {
			t.Errorf("%s = %v (there: %v), want %v", name, got, ok, want)
		}
	}
	if got, _ := scraped.Value("otpd_sign_ins_total", "method", "code", "outcome", "refused"); got != 1 {
		t.Errorf("%v code sign-ins refused, want the one the pause refused", got)
	}
}
