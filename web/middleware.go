package web

import (
	"log/slog"
	"net/http"
	"strings"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/web/edge"
)

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", edge.ContentSecurityPolicy("", ""))
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		// Flow IDs travel in URLs; no Referer may carry them elsewhere.
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if !strings.HasPrefix(r.URL.Path, "/static/") {
			h.Set("Cache-Control", "no-store")
		}
		next.ServeHTTP(w, r)
	})
}

// crossOrigin refuses state-changing requests that a browser marks as
// cross-origin, which covers every form post (CSRF) and login CSRF against
// the API. Requests without Sec-Fetch-Site or Origin, from programs rather
// than browsers, pass: the API authenticates them by bearer token only.
// The OpenID Connect endpoints an app's own page calls across origins (a
// single-page app redeeming its code, an app posting its authorization
// request) pass too: none acts on a cookie, each authenticates what it is
// sent (a code with its PKCE verifier, a token, a client's secret).
func crossOrigin(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	for _, pattern := range crossOriginEndpoints {
		cop.AddInsecureBypassPattern(pattern)
	}
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e := otpd.Errorf(otpd.EInvalid, "cross-origin requests are refused; use the form on this site")
		if isAPI(r) {
			edge.WriteJSON(w, http.StatusForbidden, edge.ErrorBody{Error: edge.ErrorDetail{Code: e.Code, Message: e.Message}})
			return
		}
		http.Error(w, e.Message, http.StatusForbidden)
	}))
	return cop.Handler(next)
}

// crossOriginEndpoints are the OpenID Connect endpoints apps call from
// their own origin.
var crossOriginEndpoints = []string{"POST /oauth2/token", "POST /oauth2/revoke", "POST /oauth2/introspect",
	"POST /oauth2/userinfo", "POST /oauth2/authorize"}

func isAPI(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, "/api/") || strings.HasPrefix(r.URL.Path, "/dev/mailbox/api/")
}

// recoverPanics turns a panic into a logged 500, so that one bad request
// does not take the connection's goroutine down without a trace.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.edge.Log.ErrorContext(r.Context(), "panic serving request", slog.String("path", r.URL.Path), slog.Any("panic", v))
				http.Error(w, "internal error", http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}
