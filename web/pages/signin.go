package pages

import (
	"net/http"
	"net/url"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/signin"
	"github.com/otpd/otpd/web/activity"
	"github.com/otpd/otpd/web/edge"
)

// signInView is signin.html's: the two forms of the start page.
type signInView struct {
	layout
	Email string
	// Form is "password" when Error is about the password form, so that
	// the error shows there and not at the code form.
	Form string
}

// SignIn is "continue with email": it sends a code and goes on to the
// page that asks for it.
func (p *Pages) SignIn(w http.ResponseWriter, r *http.Request) {
	email := r.PostFormValue("email")
	recovery, err := formSendTo(r)
	var flow signin.Flow
	if err == nil {
		flow, err = p.StartSignIn(r.Context(), email, recovery, p.Requester(r))
	}
	if err != nil {
		p.renderError(w, r, "signin.html", &signInView{layout: p.returning(r, p.newLayout("title.sign_in")), Email: email}, err)
		return
	}
	q := p.withReturn(r, toRecoveryQuery(recovery))
	http.Redirect(w, r, "/flows/"+url.PathEscape(flow.ID)+query(q), http.StatusSeeOther)
}

// PasswordSignIn signs in with the password form of the start page.
// A right password from a context that needs a code goes on to the code
// page of the flow that was sent, which says why.
func (p *Pages) PasswordSignIn(w http.ResponseWriter, r *http.Request) {
	email := r.PostFormValue("email")
	res, err := p.Engine.PasswordSignIn(r.Context(), email, r.PostFormValue("password"), p.Requester(r))
	if err != nil {
		v := &signInView{layout: p.returning(r, p.newLayout("title.sign_in")), Email: email, Form: "password"}
		p.renderError(w, r, "signin.html", v, err)
		return
	}
	if res.SignedIn != nil {
		p.SetSignInCookies(w, *res.SignedIn)
		http.Redirect(w, r, p.returnOr(r, "/"), http.StatusSeeOther)
		return
	}
	q := p.withReturn(r, url.Values{"why": activity.ReasonKeys(res.Reasons)})
	http.Redirect(w, r, "/flows/"+url.PathEscape(res.Flow.ID)+query(q), http.StatusSeeOther)
}

// SignOut ends the browser's session, and goes to the start page.
func (p *Pages) SignOut(w http.ResponseWriter, r *http.Request) {
	token := edge.SessionToken(r)
	p.ClearSessionCookie(w)
	if token != "" {
		// A session that no longer works is signed out already.
		c, err := p.Authenticate(r.Context(), token)
		if err == nil {
			err = p.Engine.SignOut(r.Context(), c, p.Requester(r))
		}
		if err != nil && otpd.ErrorCode(err) != otpd.EUnauthorized {
			p.showError(w, r, "title.sign_out_failed", err)
			return
		}
	}
	// Signing out to use another account goes on to the sign-in page of
	// the app's request.
	http.Redirect(w, r, "/"+query(p.withReturn(r, url.Values{})), http.StatusSeeOther)
}
