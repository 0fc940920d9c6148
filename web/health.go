package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/otpd/otpd/web/edge"
)

// Check is one thing GET /readyz asks before it says the server is ready:
// the store answers, Redis answers, mail is leaving, the schema is this
// build's. Run returns nil when it holds. Its error is shown to whoever
// asks /readyz, so it must say what is wrong in words of its own, without
// a DSN, a password or a host: the wiring makes such errors and logs the
// cause.
type Check struct {
	Name string
	Run  func(ctx context.Context) error
}

// DefaultCheckTimeout bounds each check when Options.CheckTimeout is 0:
// a dependency slower than this is down for a person signing in, and a
// probe (a load balancer's, Kubernetes') waits for the slowest check.
const DefaultCheckTimeout = 2 * time.Second

// healthBody is the answer of /healthz and /readyz.
type healthBody struct {
	Status string        `json:"status"`
	Checks []checkResult `json:"checks"`
}

type checkResult struct {
	Name  string `json:"name"`
	OK    bool   `json:"ok"`
	Error string `json:"error,omitempty"`
}

// serveHealthz answers 200 while the process serves: it asks nothing
// else, so a liveness probe restarts only a server that is stuck, never
// one whose database is away.
func (s *Server) serveHealthz(w http.ResponseWriter, r *http.Request) {
	edge.WriteJSON(w, http.StatusOK, healthBody{Status: "ok", Checks: []checkResult{}})
}

// serveReadyz runs every check at once, each bounded by the check
// timeout, and answers 200 when all hold, 503 naming each otherwise.
func (s *Server) serveReadyz(w http.ResponseWriter, r *http.Request) {
	results := make([]checkResult, len(s.checks))
	done := make(chan int, len(s.checks))
	for i, c := range s.checks {
		go func() {
			results[i] = s.runCheck(r.Context(), c)
			done <- i
		}()
	}
	for range s.checks {
		<-done
	}
	body, status := healthBody{Status: "ok", Checks: results}, http.StatusOK
	for _, c := range results {
		if !c.OK {
			body.Status, status = "failing", http.StatusServiceUnavailable
		}
	}
	edge.WriteJSON(w, status, body)
}

// runCheck runs c under the check timeout. A check that overruns it has
// failed, and the answer does not wait for it to notice.
func (s *Server) runCheck(ctx context.Context, c Check) checkResult {
	ctx, cancel := context.WithTimeout(ctx, s.checkTimeout)
	defer cancel()
	errc := make(chan error, 1)
	go func() {
		defer func() {
			if v := recover(); v != nil {
				errc <- fmt.Errorf("check failed")
				s.edge.Log.ErrorContext(ctx, "panic in a readiness check", "check", c.Name, "panic", v)
			}
		}()
		errc <- c.Run(ctx)
	}()
	var err error
	select {
	case err = <-errc:
	case <-ctx.Done():
		err = ctx.Err()
	}
	if err == nil {
		return checkResult{Name: c.Name, OK: true}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return checkResult{Name: c.Name, Error: fmt.Sprintf("no answer within %s", s.checkTimeout)}
	}
	return checkResult{Name: c.Name, Error: err.Error()}
}
