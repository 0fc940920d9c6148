package web

import (
	"net/http"
	"regexp"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/web/edge"
)

// wildcard matches the wildcards of a ServeMux pattern.
var wildcard = regexp.MustCompile(`\{([a-z_]+)\}`)

// checkedWildcards answers a request whose path wildcards are not
// plausible IDs as not found, naming the wildcard, before h. Handler
// wraps every route in it, from the route's own pattern, so no handler
// has to remember.
func (s *Server) checkedWildcards(pattern string, h http.Handler) http.Handler {
	var names []string
	for _, m := range wildcard.FindAllStringSubmatch(pattern, -1) {
		names = append(names, m[1])
	}
	if len(names) == 0 {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, n := range names {
			if !edge.PlausibleID(r.PathValue(n)) {
				s.notFound(w, r, n)
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}

// notFound answers that there is nothing at this address; field, when
// set, names the part of it that names nothing.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request, field string) {
	if isAPI(r) {
		s.edge.WriteError(w, r, &otpd.Error{Code: otpd.ENotFound, Field: field, Message: "there is nothing at this address"})
		return
	}
	s.pages.NotFound(w, r, field)
}

func (s *Server) pageNotFound(w http.ResponseWriter, r *http.Request) {
	s.notFound(w, r, "")
}

// methodNotAllowed answers a known API path asked with the wrong method.
func (s *Server) methodNotAllowed(w http.ResponseWriter, r *http.Request) {
	s.edge.WriteError(w, r, &otpd.Error{Code: edge.EMethod, Message: r.Method + " is not allowed here"})
}
