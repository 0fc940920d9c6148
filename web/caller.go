package web

import (
	"context"
	"net/http"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/signin"
)

// caller is who sent an authenticated request: the engine's Caller, which
// a handler passes to every engine method it calls, and its session and
// account as they were authenticated, for the handler to read.
type caller struct {
	signin.Caller
	session otpd.Session
	account otpd.Account
}

// authenticate is the one place a request's token is checked, for the API
// and the pages alike: once per request, however many engine methods the
// handler then calls with the Caller.
func (s *Server) authenticate(ctx context.Context, token string) (caller, error) {
	c, err := s.engine.Authenticate(ctx, token)
	return caller{Caller: c, session: c.Session(), account: c.Account()}, err
}

// apiCaller authenticates the bearer token of an API request. The API
// never takes the cookie: see bearer.
func (s *Server) apiCaller(r *http.Request) (caller, error) {
	token, err := bearer(r)
	if err != nil {
		return caller{}, err
	}
	return s.authenticate(r.Context(), token)
}

// pageCaller authenticates the session cookie of a page that needs one.
// Without a working session it clears the cookie and sends the browser
// to the start page; on any other failure it shows the error. Either
// way it reports false, and the answer is written.
func (s *Server) pageCaller(w http.ResponseWriter, r *http.Request) (caller, bool) {
	c, err := s.authenticate(r.Context(), cookieToken(r))
	switch {
	case otpd.ErrorCode(err) == otpd.EUnauthorized:
		clearSessionCookie(w)
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return caller{}, false
	case err != nil:
		s.renderError(w, r, "error.html", s.newPage("Something went wrong"), err)
		return caller{}, false
	}
	return c, true
}

// steppedUp reports whether the caller's session verified a step-up code
// recently enough for a sensitive change. Pages ask it only to spare a
// person typing a new password twice; the engine decides, by the same
// rule.
func (s *Server) steppedUp(c caller) bool {
	return s.engine.SteppedUp(c.Caller)
}
