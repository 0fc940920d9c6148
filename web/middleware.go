package web

import (
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/signin"
)

// contentSecurityPolicy allows our own stylesheet and nothing else: no
// script at all, no inline style, no framing, forms posting only to us.
const contentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self'; " +
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
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
func crossOrigin(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e := otpd.Errorf(otpd.EInvalid, "cross-origin requests are refused; use the form on this site")
		if isAPI(r) {
			writeJSON(w, http.StatusForbidden, errorBody{Error: errorDetail{Code: e.Code, Message: e.Message}})
			return
		}
		http.Error(w, e.Message, http.StatusForbidden)
	}))
	return cop.Handler(next)
}

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
				s.log.ErrorContext(r.Context(), "panic serving request", slog.String("path", r.URL.Path), slog.Any("panic", v))
				http.Error(w, "internal error", http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// requester is the context of a request, for the security record and the
// limits, with the device cookie that may make it a familiar context.
func (s *Server) requester(r *http.Request) signin.Requester {
	ip := s.clientIP(r)
	ua := r.UserAgent()
	if len(ua) > maxUserAgent {
		ua = ua[:maxUserAgent]
	}
	lang := r.Header.Get("Accept-Language")
	if len(lang) > maxAcceptLanguage {
		lang = lang[:maxAcceptLanguage]
	}
	return signin.Requester{IP: ip, UserAgent: strings.ToValidUTF8(ua, "\uFFFD"), Lang: strings.ToValidUTF8(lang, ""),
		Device: deviceToken(r)}
}

// maxUserAgent and maxAcceptLanguage bound what one request can make the
// store keep.
const (
	maxUserAgent      = 512
	maxAcceptLanguage = 128
)

// clientIP is the connection's address, unless that is a trusted proxy:
// then it is the rightmost address of X-Forwarded-For that is not one.
// Addresses left of it were written by the client and prove nothing.
func (s *Server) clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip, err := netip.ParseAddr(host)
	if err != nil || !s.trusted(ip) {
		return host
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			// A proxy we trust wrote garbage: stop at what we know.
			return ip.String()
		}
		if !s.trusted(hop) {
			return hop.Unmap().String()
		}
		ip = hop
	}
	return ip.String()
}

func (s *Server) trusted(ip netip.Addr) bool {
	ip = ip.Unmap()
	for _, p := range s.proxies {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}
