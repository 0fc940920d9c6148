package web

import (
	"net/http"
	"regexp"

	"github.com/otpd/otpd"
)

// maxID bounds an ID or token from outside; the longest this server makes,
// a signed deny token, is under 60 bytes.
const maxID = 256

// plausibleID reports whether v could be an ID or token this server made:
// they are all short, printable ASCII without spaces. Anything else names
// nothing here, and must not reach the store, which may not even be able
// to compare it: PostgreSQL answers a NUL or invalid UTF-8 in a text
// parameter with an error, not with "no such row".
func plausibleID(v string) bool {
	if v == "" || len(v) > maxID {
		return false
	}
	for i := range len(v) {
		if v[i] <= ' ' || v[i] > '~' {
			return false
		}
	}
	return true
}

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
			if !plausibleID(r.PathValue(n)) {
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
	err := &otpd.Error{Code: otpd.ENotFound, Field: field, Message: "there is nothing at this address"}
	if isAPI(r) {
		s.writeAPIError(w, r, err)
		return
	}
	s.renderError(w, r, "error.html", s.newPage("Page not found"), err)
}
