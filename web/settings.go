package web

import (
	"net/http"

	"github.com/otpd/otpd"
)

// Two answers an owner has when someone else is at their account, both
// behind a step-up: signing every other session out, and turning
// code-only sign-in off, which stops a flood of code emails they did not
// ask for.

func (s *Server) apiSignOutEverywhere(w http.ResponseWriter, r *http.Request) error {
	c, err := s.apiCaller(r)
	if err != nil {
		return err
	}
	n, err := s.engine.SignOutEverywhere(r.Context(), c.Caller, s.requester(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, struct {
		Ended int `json:"ended"`
	}{n})
	return nil
}

func (s *Server) apiSetSettings(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		CodeSignIn *bool `json:"code_sign_in"`
	}
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if err := required("code_sign_in", req.CodeSignIn); err != nil {
		return err
	}
	c, err := s.apiCaller(r)
	if err != nil {
		return err
	}
	if err := s.engine.SetCodeSignIn(r.Context(), c.Caller, *req.CodeSignIn, s.requester(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// pageSignOutEverywhereConfirm is where a step-up for the account page's
// "Sign out all other sessions" leads back to: a GET changes nothing, so
// it asks once more.
func (s *Server) pageSignOutEverywhereConfirm(w http.ResponseWriter, r *http.Request) {
	if c, ok := s.steppedUpCaller(w, r, "/account/sign-out-everywhere"); ok {
		s.render(w, r, http.StatusOK, "sign_out_everywhere.html", s.accountPage("Sign out all other sessions", c))
	}
}

func (s *Server) pageSignOutEverywhere(w http.ResponseWriter, r *http.Request) {
	c, ok := s.pageCaller(w, r)
	if !ok {
		return
	}
	_, err := s.engine.SignOutEverywhere(r.Context(), c.Caller, s.requester(r))
	s.finishChange(w, r, c, err, "/?done=signed-out-everywhere", "/account/sign-out-everywhere", "sign_out_everywhere.html",
		s.accountPage("Sign out all other sessions", c))
}

func (s *Server) pageCodeSignIn(w http.ResponseWriter, r *http.Request) {
	if c, ok := s.steppedUpCaller(w, r, "/account/code-sign-in"); ok {
		s.render(w, r, http.StatusOK, "code_sign_in.html", s.accountPage("Code-only sign-in", c))
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

func (s *Server) pageSetCodeSignIn(w http.ResponseWriter, r *http.Request) {
	c, ok := s.pageCaller(w, r)
	if !ok {
		return
	}
	on, err := codeSignInForm(r)
	if err == nil {
		err = s.engine.SetCodeSignIn(r.Context(), c.Caller, on, s.requester(r))
	}
	done := "/?done=code-sign-in-off"
	if on {
		done = "/?done=code-sign-in-on"
	}
	s.finishChange(w, r, c, err, done, "/account/code-sign-in", "code_sign_in.html", s.accountPage("Code-only sign-in", c))
}
