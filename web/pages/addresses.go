package pages

import (
	"context"
	"net/http"
	"net/url"

	"github.com/otpd/otpd/signin"
)

// AddressForm is one of the two forms that put a new address on the
// account: path is where it lives and where a step-up leads back to, and
// form tells address.html which of the two it shows.
type AddressForm struct {
	path, form string
	start      func(e *signin.Engine, ctx context.Context, c signin.Caller, email string, r signin.Requester) (signin.Flow, error)
}

// The address forms, for the routes.
var (
	ChangeEmailForm = AddressForm{"/account/email", "email", (*signin.Engine).ChangeEmail}
	RecoveryForm    = AddressForm{"/account/recovery", "recovery", (*signin.Engine).AddRecovery}
)

// addressView is address.html's: the form of a new sign-in or recovery
// address.
type addressView struct {
	layout
	// Form is the form shown: "email" or "recovery".
	Form  string
	Email string
}

func (p *Pages) addressView(c signin.Caller, f AddressForm) *addressView {
	title := "title.change_email"
	switch {
	case f.form == "recovery" && c.Account().RecoveryEmail.IsZero():
		title = "title.add_recovery"
	case f.form == "recovery":
		title = "title.change_recovery"
	}
	return &addressView{layout: p.accountLayout(title, c.Account()), Form: f.form}
}

// Address shows the form f after a step-up: only a session that has one
// can confirm the new address's code, so asking after the person has
// typed would waste their typing.
func (p *Pages) Address(f AddressForm) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if c, ok := p.steppedUpCaller(w, r, f.path); ok {
			p.render(w, r, http.StatusOK, "address.html", p.addressView(c, f))
		}
	}
}

// AddressSend sends the code to the address typed in form f and goes on
// to the page that asks for it.
func (p *Pages) AddressSend(f AddressForm) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, ok := p.pageCaller(w, r)
		if !ok {
			return
		}
		email := r.PostFormValue("email")
		flow, err := f.start(p.Engine, r.Context(), c, email, p.Requester(r))
		v := p.addressView(c, f)
		v.Email = email
		p.finishChange(w, r, c, err, AddressCodes.base+url.PathEscape(flow.ID), f.path, "address.html", v)
	}
}

// AddressVerify confirms the new address with its code.
func (p *Pages) AddressVerify(w http.ResponseWriter, r *http.Request) {
	c, ok := p.pageCaller(w, r)
	if !ok {
		return
	}
	acct, err := p.Engine.ConfirmAddress(r.Context(), c, r.PathValue("flow_id"), r.PostFormValue("code"), p.Requester(r))
	if err != nil {
		p.renderFlowError(w, r, AddressCodes, err)
		return
	}
	// The code confirmed a new sign-in address or a recovery address;
	// the sign-in address tells which.
	done := "/?done=recovery-added"
	if acct.Email.Key() != c.Account().Email.Key() {
		done = "/?done=email-changed"
	}
	http.Redirect(w, r, done, http.StatusSeeOther)
}
