package web_test

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/otpd/otpd/web"
	"github.com/otpd/otpd/web/webtest"
)

// A request is one line at the level asked for, with the route pattern
// and not the path; with RequestLog nil there is none, and no
// X-Request-ID.
func TestRequestLog(t *testing.T) {
	logs := &webtest.Logs{}
	r := webtest.NewWeb(t, func(o *web.Options) {
		o.Log = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		o.RequestLog = slog.LevelDebug
	})
	req, _ := http.NewRequest("GET", r.URL+"/api/v1/me/sessions/abcdefghijklmnop?x=1", nil)
	req.Header.Set("X-Request-ID", "trace.1")
	a := r.Do(t, req)
	if a.Status != http.StatusMethodNotAllowed || a.Header.Get("X-Request-ID") != "trace.1" {
		t.Fatalf("%d, X-Request-ID %q", a.Status, a.Header.Get("X-Request-ID"))
	}
	var l map[string]any
	if err := json.Unmarshal([]byte(strings.TrimSpace(logs.String())), &l); err != nil {
		t.Fatalf("%v: %s", err, logs)
	}
	if l["level"] != "DEBUG" || l["request_id"] != "trace.1" || l["route"] != "/api/v1/me/sessions/{session_id}" ||
		l["status"] != float64(405) || l["method"] != "GET" {
		t.Errorf("line %s", logs)
	}
	if strings.Contains(logs.String(), "abcdefghijklmnop") || strings.Contains(logs.String(), "x=1") {
		t.Errorf("the path or query is logged: %s", logs)
	}

	off := webtest.New(t)
	req, _ = http.NewRequest("GET", off.URL+"/healthz", nil)
	if a := off.Do(t, req); a.Header.Get("X-Request-ID") != "" || strings.Contains(off.Logs.String(), "request") {
		t.Errorf("request logs off: X-Request-ID %q, logs %s", a.Header.Get("X-Request-ID"), off.Logs)
	}
}

type heardRequest struct {
	route  string
	status int
}

type requestRecorder struct {
	mu    sync.Mutex
	heard []heardRequest
}

func (r *requestRecorder) Request(route string, status int, took time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.heard = append(r.heard, heardRequest{route, status})
}

// The observer hears each answer with its route pattern, never the path,
// and its status; with it alone, no request is logged and no
// X-Request-ID is given.
func TestRequestObserver(t *testing.T) {
	rec := &requestRecorder{}
	r := webtest.NewWeb(t, func(o *web.Options) { o.Requests = rec })
	for _, path := range []string{"/healthz", "/flows/abcdefghijklmnopqrstuvwxyz/no-such-page", "/metrics"} {
		req, _ := http.NewRequest("GET", r.URL+path, nil)
		if a := r.Do(t, req); a.Header.Get("X-Request-ID") != "" {
			t.Errorf("%s: X-Request-ID %q without a request log", path, a.Header.Get("X-Request-ID"))
		}
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	// A path no route names falls to the catch-all "/".
	want := []heardRequest{{"GET /healthz", 200}, {"/", 404}, {"/", 404}}
	if !slices.Equal(rec.heard, want) {
		t.Errorf("heard %v, want %v", rec.heard, want)
	}
	if strings.Contains(r.Logs.String(), "request") {
		t.Errorf("a request was logged: %s", r.Logs)
	}
}
