package pages

import (
	"net/http"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/signin"
	"github.com/otpd/otpd/web/edge"
)

// pageCaller authenticates the session cookie of a page that needs one.
// Without a working session it clears the cookie and sends the browser
// to the start page; on any other failure it shows the error. Either
// way it reports false, and the answer is written.
func (p *Pages) pageCaller(w http.ResponseWriter, r *http.Request) (signin.Caller, bool) {
	c, err := p.Authenticate(r.Context(), edge.SessionToken(r))
	switch {
	case otpd.ErrorCode(err) == otpd.EUnauthorized:
		p.ClearSessionCookie(w)
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return signin.Caller{}, false
	case err != nil:
		p.showError(w, r, "title.went_wrong", err)
		return signin.Caller{}, false
	}
	return c, true
}

// steppedUp reports whether the caller's session verified a step-up code
// recently enough for a sensitive change. Pages ask it only to spare a
// person typing a new password twice; the engine decides, by the same
// rule.
func (p *Pages) steppedUp(c signin.Caller) bool {
	return p.Engine.SteppedUp(c)
}
