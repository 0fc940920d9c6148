package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/otpd/otpd/buildinfo"
)

// serveMetrics writes the counters an operator alerts on, in Prometheus's
// text format: the circuit breaker on the service-wide budget of failed
// guesses. They say nothing about any account. otpd_build_info says which
// build answers, for dashboards that follow a roll-out.
func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request) {
	b := s.edge.Engine.Breaker()
	open := 0
	if b.Open {
		open = 1
	}
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	fmt.Fprintf(w, "# HELP otpd_failed_guesses_total Failed guesses (wrong codes and passwords) from unfamiliar devices.\n"+
		"# TYPE otpd_failed_guesses_total counter\notpd_failed_guesses_total %d\n", b.FailedGuesses)
	fmt.Fprintf(w, "# HELP otpd_breaker_trips_total Times the service-wide budget of failed guesses was found spent: an attack.\n"+
		"# TYPE otpd_breaker_trips_total counter\notpd_breaker_trips_total %d\n", b.Trips)
	fmt.Fprintf(w, "# HELP otpd_breaker_open Whether sign-in from unfamiliar devices is paused now.\n"+
		"# TYPE otpd_breaker_open gauge\notpd_breaker_open %d\n", open)
	bi := buildinfo.Read()
	fmt.Fprintf(w, "# HELP otpd_build_info The build that serves: module version, commit and Go version.\n"+
		"# TYPE otpd_build_info gauge\notpd_build_info{version=\"%s\",revision=\"%s\",goversion=\"%s\"} 1\n",
		labelValue(bi.Version), labelValue(bi.Revision), labelValue(bi.GoVersion))
}

// labelValue escapes s for a label value of the text format: backslash,
// double quote and line feed.
func labelValue(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s)
}
