package web

import (
	"cmp"
	"net/http"
	"net/url"
)

// codeRequiredResponse answers a right password that is not enough: the
// flow of the code sent to the address, and why it was needed.
type codeRequiredResponse struct {
	flowResponse
	CodeRequired bool     `json:"code_required"`
	Reasons      []string `json:"reasons"`
}

func (s *Server) apiPasswordSignIn(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Email    *string `json:"email"`
		Password *string `json:"password"`
	}
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if err := cmp.Or(required("email", req.Email), required("password", req.Password)); err != nil {
		return err
	}
	res, err := s.engine.PasswordSignIn(r.Context(), *req.Email, *req.Password, s.requester(r))
	if err != nil {
		return err
	}
	if res.SignedIn != nil {
		s.writeSignedIn(w, *res.SignedIn)
		return nil
	}
	said := make([]string, len(res.Reasons))
	for i, rs := range res.Reasons {
		said[i] = rs.String()
	}
	writeJSON(w, http.StatusAccepted, codeRequiredResponse{newFlowResponse(*res.Flow), true, said})
	return nil
}

func (s *Server) apiSetPassword(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Password *string `json:"password"`
	}
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if err := required("password", req.Password); err != nil {
		return err
	}
	c, err := s.apiCaller(r)
	if err != nil {
		return err
	}
	if err := s.engine.SetPassword(r.Context(), c.Caller, *req.Password, s.requester(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) apiRemovePassword(w http.ResponseWriter, r *http.Request) error {
	c, err := s.apiCaller(r)
	if err != nil {
		return err
	}
	if err := s.engine.RemovePassword(r.Context(), c.Caller, s.requester(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// pagePasswordSignIn signs in with the password form of the start page.
// A right password from a context that needs a code goes on to the code
// page of the flow that was sent, which says why.
func (s *Server) pagePasswordSignIn(w http.ResponseWriter, r *http.Request) {
	email := r.PostFormValue("email")
	res, err := s.engine.PasswordSignIn(r.Context(), email, r.PostFormValue("password"), s.requester(r))
	if err != nil {
		p := s.newPage("Sign in")
		p.Email, p.Form = email, "password"
		s.renderError(w, r, "signin.html", p, err)
		return
	}
	if res.SignedIn != nil {
		s.setSignInCookies(w, *res.SignedIn)
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	q := url.Values{"why": reasonKeys(res.Reasons)}
	http.Redirect(w, r, "/flows/"+url.PathEscape(res.Flow.ID)+"?"+q.Encode(), http.StatusSeeOther)
}

// pagePassword is the form that sets or changes the password. It asks
// for a step-up first, rather than after the person has typed.
func (s *Server) pagePassword(w http.ResponseWriter, r *http.Request) {
	if c, ok := s.steppedUpCaller(w, r, "/account/password"); ok {
		s.render(w, r, http.StatusOK, "password.html", s.passwordPage(c))
	}
}

func (s *Server) passwordPage(c caller) page {
	if c.account.HasPassword() {
		return s.accountPage("Change your password", c)
	}
	return s.accountPage("Set a password", c)
}

func (s *Server) pageSetPassword(w http.ResponseWriter, r *http.Request) {
	c, ok := s.pageCaller(w, r)
	if !ok {
		return
	}
	err := s.engine.SetPassword(r.Context(), c.Caller, r.PostFormValue("password"), s.requester(r))
	s.finishChange(w, r, c, err, "/?done=password-set", "/account/password", "password.html", s.passwordPage(c))
}
