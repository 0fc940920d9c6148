package pages

import (
	"net/http"
	"net/url"

	"github.com/otpd/otpd/signin"
)

// forgotView is forgot.html's: the form that sends a reset code.
type forgotView struct {
	layout
	Email string
}

// Forgot is the form that sends a reset code.
func (p *Pages) Forgot(w http.ResponseWriter, r *http.Request) {
	p.render(w, r, http.StatusOK, "forgot.html", &forgotView{layout: p.returning(r, p.newLayout("title.forgot"))})
}

// ForgotSend sends the reset code and goes on to the page that asks for
// it with the new password.
func (p *Pages) ForgotSend(w http.ResponseWriter, r *http.Request) {
	email := r.PostFormValue("email")
	recovery, err := formSendTo(r)
	var flow signin.Flow
	if err == nil {
		flow, err = p.StartReset(r.Context(), email, recovery, p.Requester(r))
	}
	if err != nil {
		v := &forgotView{layout: p.returning(r, p.newLayout("title.forgot")), Email: email}
		p.renderError(w, r, "forgot.html", v, err)
		return
	}
	q := p.withReturn(r, toRecoveryQuery(recovery))
	http.Redirect(w, r, "/password/reset/"+url.PathEscape(flow.ID)+query(q), http.StatusSeeOther)
}

// Reset sets the new password with the reset code, and signs in.
func (p *Pages) Reset(w http.ResponseWriter, r *http.Request) {
	in, err := p.Engine.ResetPassword(r.Context(), r.PathValue("flow_id"), r.PostFormValue("code"),
		r.PostFormValue("password"), p.formRequester(r))
	if err != nil {
		p.renderFlowError(w, r, ResetCodes, err)
		return
	}
	p.SetSignInCookies(w, in)
	http.Redirect(w, r, p.returnOr(r, "/?done=reset"), http.StatusSeeOther)
}
