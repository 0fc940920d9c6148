package pages

import (
	"net/http"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/signin"
)

// A factor (an authenticator app's code or a recovery code) stands in for
// the emailed code after a right password, and for a step-up's code. Its
// page is a code page of its own, for a sign-in flow that a password
// began.

// FactorCodes is the page that takes a factor for a sign-in flow.
var FactorCodes = CodeKind{base: "/flows/", template: "factor.html", title: "title.factor",
	purposes: []otpd.Purpose{otpd.PurposeSignIn}}

// formFactor reads a factor form's method and code.
func formFactor(r *http.Request) signin.Factor {
	return signin.Factor{Kind: otpd.MethodKind(r.PostFormValue("method")), Code: r.PostFormValue("code")}
}

// VerifyFactor signs in with a factor typed on the factor page.
func (p *Pages) VerifyFactor(w http.ResponseWriter, r *http.Request) {
	in, err := p.Engine.VerifyFactor(r.Context(), r.PathValue("flow_id"), formFactor(r), p.formRequester(r))
	if err == nil {
		p.SetSignInCookies(w, in)
		http.Redirect(w, r, p.returnOr(r, "/"), http.StatusSeeOther)
		return
	}
	p.renderFlowError(w, r, FactorCodes, err)
}

// StepUpFactorPage offers a step-up with a factor, on the way back to the
// page in the URL.
func (p *Pages) StepUpFactorPage(w http.ResponseWriter, r *http.Request) {
	if c, ok := p.pageCaller(w, r); ok {
		v := p.accountLayout("title.step_up", c.Account()).returning(p.checkReturn(r.Context(), r.URL.Query().Get("return")))
		p.render(w, r, http.StatusOK, "stepup_factor.html", &v)
	}
}

// StepUpFactor steps the session up with a factor, and goes back where
// the step-up was asked.
func (p *Pages) StepUpFactor(w http.ResponseWriter, r *http.Request) {
	c, ok := p.pageCaller(w, r)
	if !ok {
		return
	}
	if _, err := p.Engine.StepUpWith(r.Context(), c, formFactor(r), p.Requester(r)); err != nil {
		v := p.accountLayout("title.step_up", c.Account()).returning(p.checkReturn(r.Context(), r.PostFormValue("return")))
		p.renderError(w, r, "stepup_factor.html", &v, err)
		return
	}
	http.Redirect(w, r, p.returnOr(r, "/"), http.StatusSeeOther)
}
