package web

import (
	"net/http"

	"github.com/otpd/otpd"
)

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
	p.Challenge = ch
	s.render(w, r, http.StatusOK, "deny.html", p)
}

func (s *Server) pageDeny(w http.ResponseWriter, r *http.Request) {
	p := s.newPage("Thank you for reporting it")
	ch, err := s.engine.Deny(r.Context(), r.PathValue("token"), s.requester(r))
	if err != nil {
		p.Title = "This link is not valid"
		s.renderError(w, r, "error.html", p, err)
		return
	}
	p.Challenge = ch
	p.Closed = ch.Status == otpd.StatusUsed
	s.render(w, r, http.StatusOK, "denied.html", p)
}
