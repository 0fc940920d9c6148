package web

import (
	"crypto/rand"
	"log/slog"
	"net/http"
	"time"
)

// maxRequestID is the longest X-Request-ID a client may give.
const maxRequestID = 64

// logRequests tells s.requests of every answer, and logs one line per
// request at s.requestLog's level: its
// request ID, method, route pattern, status, duration, client IP and the
// bytes answered. It logs the pattern the mux matched, never the path,
// which may hold a flow ID, a deny token or an address; and never the
// query string, a header's value or a body. The request ID is the
// client's X-Request-ID when that is short and plain, a new one
// otherwise, and is echoed in the answer's X-Request-ID, so that a
// person's report and a proxy's log lead to the line.
func (s *Server) logRequests(next http.Handler) http.Handler {
	if s.requestLog == nil && s.requests == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		var id string
		if s.requestLog != nil {
			id = r.Header.Get("X-Request-ID")
			if !plainRequestID(id) {
				id = rand.Text()
			}
			w.Header().Set("X-Request-ID", id)
		}
		rec := &recorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		took := time.Since(start)
		// The mux has set r.Pattern on this very request: no handler in
		// front of it makes a new one.
		if s.requests != nil {
			s.requests.Request(r.Pattern, rec.status, took)
		}
		if s.requestLog == nil {
			return
		}
		method := r.Method
		if len(method) > 16 {
			method = method[:16]
		}
		s.edge.Log.LogAttrs(r.Context(), s.requestLog.Level(), "request",
			slog.String("request_id", id),
			slog.String("method", method),
			slog.String("route", r.Pattern),
			slog.Int("status", rec.status),
			slog.Float64("duration_ms", float64(took.Microseconds())/1000),
			slog.String("client_ip", s.edge.ClientIP(r)),
			slog.Int64("bytes", rec.bytes))
	})
}

// plainRequestID reports whether a client's request ID may be logged and
// echoed as it is: 1 to 64 of A-Z, a-z, 0-9, '.', '_' and '-'.
func plainRequestID(id string) bool {
	if id == "" || len(id) > maxRequestID {
		return false
	}
	for _, c := range []byte(id) {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '.', c == '_', c == '-':
		default:
			return false
		}
	}
	return true
}

// recorder notes the status and the bytes of an answer.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 && code >= 200 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
