package web_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/metrics"
	"github.com/otpd/otpd/web"
)

// BenchmarkMiddleware answers GET /healthz through every middleware, as
// it is, with metrics, with the request log, and with both: what the
// observer and the log add to every request.
func BenchmarkMiddleware(b *testing.B) {
	for _, bc := range []struct {
		name string
		edit func(*web.Options)
	}{
		{"plain", func(*web.Options) {}},
		{"metrics", func(o *web.Options) { o.Requests = metrics.New(metrics.Options{}) }},
		{"log", func(o *web.Options) { o.RequestLog = slog.LevelInfo }},
		{"metrics+log", func(o *web.Options) {
			o.Requests, o.RequestLog = metrics.New(metrics.Options{}), slog.LevelInfo
		}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			o := web.Options{Clock: otpd.SystemClock{}, Log: slog.New(slog.DiscardHandler)}
			bc.edit(&o)
			h := web.New(o).Handler()
			req := httptest.NewRequest("GET", "/healthz", nil)
			b.ReportAllocs()
			for b.Loop() {
				h.ServeHTTP(httptest.NewRecorder(), req)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != http.StatusOK {
				b.Fatalf("GET /healthz: %d", w.Code)
			}
		})
	}
}
