package web

import (
	"net/http"

	"github.com/otpd/otpd"
)

// A "This wasn't me" link reports a code its address did not ask for. In
// the notice to the old address after a change of sign-in address, the
// same link undoes the change: its code was used to confirm the new one.

// undoes reports whether the link of ch undoes a change of address.
func undoes(ch otpd.Challenge) bool {
	return ch.Purpose == otpd.PurposeChangeEmail && ch.Status == otpd.StatusUsed
}

// pageDenyConfirm shows what a "This wasn't me" link is about and asks for
// a click. A GET changes nothing: mail scanners open links.
func (s *Server) pageDenyConfirm(w http.ResponseWriter, r *http.Request) {
	p := s.newPage("Did you ask for this code?")
	p.Token = r.PathValue("token")
	ch, err := s.engine.DenyTarget(r.Context(), p.Token)
	if err != nil {
		p.Title = "This link is not valid"
		s.renderError(w, r, "error.html", p, err)
		return
	}
	p.Challenge, p.Undo = ch, undoes(ch)
	if p.Undo {
		p.Title = "Undo the change of your sign-in address?"
	}
	s.render(w, r, http.StatusOK, "deny.html", p)
}

func (s *Server) pageDeny(w http.ResponseWriter, r *http.Request) {
	p := s.newPage("Thank you for reporting it")
	ch, err := s.engine.Deny(r.Context(), r.PathValue("token"), s.requester(r))
	p.Challenge, p.Undo = ch, undoes(ch)
	switch {
	case err != nil && p.Undo:
		// The report is recorded, but the account stays where it is:
		// the page says why, and what the owner can still do.
		p.Title = "The change was not undone"
		s.renderError(w, r, "denied.html", p, err)
	case err != nil:
		p.Title = "This link is not valid"
		s.renderError(w, r, "error.html", p, err)
	default:
		if p.Undo {
			p.Title = "The change is undone"
		}
		p.Closed = ch.Status == otpd.StatusUsed
		s.render(w, r, http.StatusOK, "denied.html", p)
	}
}
