package web

import (
	"context"
	"net/http"

	"github.com/otpd/otpd"
)

// caller is who sent an authenticated request.
type caller struct {
	token   string
	session otpd.Session
	account otpd.Account
}

func (s *Server) authenticate(ctx context.Context, token string) (caller, error) {
	sess, acct, err := s.engine.Authenticate(ctx, token)
	return caller{token: token, session: sess, account: acct}, err
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
// person typing a new password twice; the engine decides.
func (s *Server) steppedUp(c caller) bool {
	return c.session.SteppedUpWithin(s.clock.Now(), s.engine.Policy().StepUpFor)
}
