package pages

import (
	"net/http"

	"github.com/otpd/otpd/signin"
)

// passwordView is password.html's: the form that sets or changes the
// password.
type passwordView struct {
	layout
	// PasswordMin is the shortest password the policy takes; 0 when the
	// server was not told it.
	PasswordMin int
}

// Password is the form that sets or changes the password. It asks for a
// step-up first, rather than after the person has typed.
func (p *Pages) Password(w http.ResponseWriter, r *http.Request) {
	if c, ok := p.steppedUpCaller(w, r, "/account/password"); ok {
		p.render(w, r, http.StatusOK, "password.html", p.passwordView(c))
	}
}

func (p *Pages) passwordView(c signin.Caller) *passwordView {
	title := "title.set_password"
	if c.Account().HasPassword() {
		title = "title.change_password"
	}
	return &passwordView{layout: p.accountLayout(title, c.Account()), PasswordMin: p.passwordMin}
}

// SetPassword sets the password typed in the form.
func (p *Pages) SetPassword(w http.ResponseWriter, r *http.Request) {
	c, ok := p.pageCaller(w, r)
	if !ok {
		return
	}
	err := p.Engine.SetPassword(r.Context(), c, r.PostFormValue("password"), p.Requester(r))
	p.finishChange(w, r, c, err, "/?done=password-set", "/account/password", "password.html", p.passwordView(c))
}
