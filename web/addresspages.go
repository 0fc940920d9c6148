package web

import (
	"net/http"
	"net/url"

	"github.com/otpd/otpd/signin"
)

// addressForm is one of the two forms that put a new address on the
// account: path is where it lives and where a step-up leads back to, and
// form tells address.html which of the two it shows.
type addressForm struct {
	path, form string
	start      addressStarter
}

var (
	changeEmailForm = addressForm{"/account/email", "email", (*signin.Engine).ChangeEmail}
	recoveryForm    = addressForm{"/account/recovery", "recovery", (*signin.Engine).AddRecovery}
)

func (s *Server) addressPage(c caller, f addressForm) page {
	title := "Change your sign-in address"
	switch {
	case f.form == "recovery" && c.account.RecoveryEmail.IsZero():
		title = "Add a recovery address"
	case f.form == "recovery":
		title = "Change your recovery address"
	}
	p := s.accountPage(title, c)
	p.Form = f.form
	return p
}

// pageAddress shows the form f after a step-up: only a session that has
// one can confirm the new address's code, so asking after the person has
// typed would waste their typing.
func (s *Server) pageAddress(f addressForm) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if c, ok := s.steppedUpCaller(w, r, f.path); ok {
			s.render(w, r, http.StatusOK, "address.html", s.addressPage(c, f))
		}
	}
}

// pageAddressSend sends the code to the address typed in form f and goes
// on to the page that asks for it.
func (s *Server) pageAddressSend(f addressForm) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, ok := s.pageCaller(w, r)
		if !ok {
			return
		}
		email := r.PostFormValue("email")
		flow, err := f.start(s.engine, r.Context(), c.Caller, email, s.requester(r))
		p := s.addressPage(c, f)
		p.Email = email
		s.finishChange(w, r, c, err, addressCodes.base+url.PathEscape(flow.ID), f.path, "address.html", p)
	}
}

func (s *Server) pageAddressVerify(w http.ResponseWriter, r *http.Request) {
	c, ok := s.pageCaller(w, r)
	if !ok {
		return
	}
	acct, err := s.engine.ConfirmAddress(r.Context(), c.Caller, r.PathValue("flow_id"), r.PostFormValue("code"), s.requester(r))
	if err != nil {
		s.renderFlowError(w, r, addressCodes, err)
		return
	}
	// The code confirmed a new sign-in address or a recovery address;
	// the sign-in address tells which.
	done := "/?done=recovery-added"
	if acct.Email.Key() != c.account.Email.Key() {
		done = "/?done=email-changed"
	}
	http.Redirect(w, r, done, http.StatusSeeOther)
}
