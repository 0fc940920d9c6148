package pages

import (
	"net/http"

	"github.com/otpd/otpd"
)

// Two answers an owner has when someone else is at their account, both
// behind a step-up: signing every other session out, and turning
// code-only sign-in off, which stops a flood of code emails they did not
// ask for. Their pages show nothing beyond the layout.

// SignOutEverywhereConfirm is where a step-up for the account page's
// "Sign out all other sessions" leads back to: a GET changes nothing, so
// it asks once more.
func (p *Pages) SignOutEverywhereConfirm(w http.ResponseWriter, r *http.Request) {
	if c, ok := p.steppedUpCaller(w, r, "/account/sign-out-everywhere"); ok {
		l := p.accountLayout("title.sign_out_everywhere", c.Account())
		p.render(w, r, http.StatusOK, "sign_out_everywhere.html", &l)
	}
}

// SignOutEverywhere signs out every other session of the account.
func (p *Pages) SignOutEverywhere(w http.ResponseWriter, r *http.Request) {
	c, ok := p.pageCaller(w, r)
	if !ok {
		return
	}
	_, err := p.Engine.SignOutEverywhere(r.Context(), c, p.Requester(r))
	l := p.accountLayout("title.sign_out_everywhere", c.Account())
	p.finishChange(w, r, c, err, "/?done=signed-out-everywhere", "/account/sign-out-everywhere", "sign_out_everywhere.html", &l)
}

// CodeSignIn shows whether code-only sign-in is on, with the form that
// turns it the other way.
func (p *Pages) CodeSignIn(w http.ResponseWriter, r *http.Request) {
	if c, ok := p.steppedUpCaller(w, r, "/account/code-sign-in"); ok {
		l := p.accountLayout("title.code_sign_in", c.Account())
		p.render(w, r, http.StatusOK, "code_sign_in.html", &l)
	}
}

// codeSignInForm reads the form's code_sign_in, "on" or "off".
func codeSignInForm(r *http.Request) (bool, error) {
	switch r.PostFormValue("code_sign_in") {
	case "on":
		return true, nil
	case "off":
		return false, nil
	}
	return false, otpd.FieldError("code_sign_in", `code_sign_in must be "on" or "off"`)
}

// SetCodeSignIn turns code-only sign-in on or off.
func (p *Pages) SetCodeSignIn(w http.ResponseWriter, r *http.Request) {
	c, ok := p.pageCaller(w, r)
	if !ok {
		return
	}
	on, err := codeSignInForm(r)
	if err == nil {
		err = p.Engine.SetCodeSignIn(r.Context(), c, on, p.Requester(r))
	}
	done := "/?done=code-sign-in-off"
	if on {
		done = "/?done=code-sign-in-on"
	}
	l := p.accountLayout("title.code_sign_in", c.Account())
	p.finishChange(w, r, c, err, done, "/account/code-sign-in", "code_sign_in.html", &l)
}

// SetLanguage keeps the language the account chose for its pages and
// emails, from the form on the home page, and shows the home page in it.
func (p *Pages) SetLanguage(w http.ResponseWriter, r *http.Request) {
	c, ok := p.pageCaller(w, r)
	if !ok {
		return
	}
	if err := p.Engine.SetLanguage(r.Context(), c, r.PostFormValue("language")); err != nil {
		p.showError(w, r, "title.language_not_set", err)
		return
	}
	http.Redirect(w, r, "/?done=language-set", http.StatusSeeOther)
}
