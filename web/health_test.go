package web_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/otpd/otpd/web"
	"github.com/otpd/otpd/web/webtest"
)

type health struct {
	Status string `json:"status"`
	Checks []struct {
		Name  string `json:"name"`
		OK    bool   `json:"ok"`
		Error string `json:"error"`
	} `json:"checks"`
}

func getHealth(t *testing.T, r *webtest.Rig, path string, want int) health {
	t.Helper()
	req, _ := http.NewRequest("GET", r.URL+path, nil)
	a := r.Do(t, req)
	if a.Status != want {
		t.Fatalf("GET %s: %d %s, want %d", path, a.Status, a.Body, want)
	}
	if ct := a.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("GET %s: Content-Type %q", path, ct)
	}
	var h health
	if err := json.Unmarshal([]byte(a.Body), &h); err != nil {
		t.Fatalf("GET %s: %v in %s", path, err, a.Body)
	}
	return h
}

// /readyz runs every check and names each; one failing makes it 503 and
// says which and why, while /healthz, which asks nothing, stays 200. A
// check that does not answer in time fails by the timeout, and the
// answer does not wait for it.
func TestReadyzNamesTheFailingCheck(t *testing.T) {
	ok := func(context.Context) error { return nil }
	// hang ignores its context until the test ends.
	end := make(chan struct{})
	t.Cleanup(func() { close(end) })
	hang := func(context.Context) error { <-end; return nil }
	down := errors.New("the database does not answer")
	var failing atomic.Bool
	failing.Store(true)
	r := webtest.NewWeb(t, func(o *web.Options) {
		o.CheckTimeout = 200 * time.Millisecond
		o.Checks = []web.Check{
			{Name: "store", Run: func(context.Context) error {
				if failing.Load() {
					return down
				}
				return nil
			}},
			{Name: "redis", Run: ok},
		}
	})
	h := getHealth(t, r, "/readyz", http.StatusServiceUnavailable)
	if h.Status != "failing" || len(h.Checks) != 2 {
		t.Fatalf("readyz = %+v", h)
	}
	if c := h.Checks[0]; c.Name != "store" || c.OK || c.Error != down.Error() {
		t.Errorf("store check = %+v, want failing with %q", c, down)
	}
	if c := h.Checks[1]; c.Name != "redis" || !c.OK || c.Error != "" {
		t.Errorf("redis check = %+v, want ok", c)
	}
	if h := getHealth(t, r, "/healthz", http.StatusOK); h.Status != "ok" {
		t.Errorf("healthz = %+v while a check fails", h)
	}

	failing.Store(false)
	if h := getHealth(t, r, "/readyz", http.StatusOK); h.Status != "ok" || !h.Checks[0].OK || !h.Checks[1].OK {
		t.Errorf("readyz = %+v with every check holding", h)
	}

	slow := webtest.NewWeb(t, func(o *web.Options) {
		o.CheckTimeout = 200 * time.Millisecond
		o.Checks = []web.Check{{Name: "outbox", Run: hang}}
	})
	start := time.Now()
	h = getHealth(t, slow, "/readyz", http.StatusServiceUnavailable)
	if c := h.Checks[0]; c.Name != "outbox" || c.OK || c.Error != "no answer within 200ms" {
		t.Errorf("hung check = %+v", c)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("readyz took %s with a 200ms check timeout", d)
	}
}

// Without checks /readyz is /healthz.
func TestReadyzWithoutChecks(t *testing.T) {
	r := webtest.New(t)
	if h := getHealth(t, r, "/readyz", http.StatusOK); h.Status != "ok" || len(h.Checks) != 0 {
		t.Errorf("readyz = %+v", h)
	}
	req, _ := http.NewRequest("POST", r.URL+"/readyz", nil)
	if a := r.Do(t, req); a.Status != http.StatusMethodNotAllowed {
		t.Errorf("POST /readyz: %d", a.Status)
	}
}
