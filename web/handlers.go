package web

import (
	"net/http"
	"net/url"

	"github.com/otpd/otpd"
)

// homeEvents is how many events the signed-in home page shows.
const homeEvents = 20

func (s *Server) pageHome(w http.ResponseWriter, r *http.Request) {
	token := cookieToken(r)
	if token == "" {
		s.render(w, r, http.StatusOK, "signin.html", s.newPage("Sign in"))
		return
	}
	_, acct, err := s.engine.Authenticate(r.Context(), token)
	if otpd.ErrorCode(err) == otpd.EUnauthorized {
		clearSessionCookie(w)
		p := s.newPage("Sign in")
		p.Notice = "Your session has ended. Sign in again."
		s.render(w, r, http.StatusOK, "signin.html", p)
		return
	}
	p := s.newPage("Your account")
	if err != nil {
		s.renderError(w, r, "error.html", p, err)
		return
	}
	evs, err := s.engine.Activity(r.Context(), acct.ID, homeEvents)
	if err != nil {
		s.renderError(w, r, "error.html", p, err)
		return
	}
	p.Account, p.Events = acct, eventViews(evs)
	s.render(w, r, http.StatusOK, "home.html", p)
}

func (s *Server) pageSignIn(w http.ResponseWriter, r *http.Request) {
	email := r.PostFormValue("email")
	flow, err := s.engine.SignIn(r.Context(), email, s.requester(r))
	if err != nil {
		p := s.newPage("Sign in")
		p.Email = email
		s.renderError(w, r, "signin.html", p, err)
		return
	}
	http.Redirect(w, r, "/flows/"+url.PathEscape(flow.ID), http.StatusSeeOther)
}

// flowPage loads the code page for the flow in the URL.
func (s *Server) flowPage(r *http.Request) (page, error) {
	p := s.newPage("Enter your code")
	st, err := s.engine.Lookup(r.Context(), r.PathValue("flow_id"))
	if err != nil {
		p.Title = "Sign-in not found"
		return p, err
	}
	now := s.clock.Now()
	p.Flow = st
	p.Closed = st.Status != otpd.StatusPending || !now.Before(st.ExpiresAt)
	if wait := st.ResendAfter.Sub(now); wait > 0 {
		p.ResendIn = retrySeconds(wait)
	}
	return p, nil
}

func (s *Server) pageFlow(w http.ResponseWriter, r *http.Request) {
	p, err := s.flowPage(r)
	if err != nil {
		s.renderError(w, r, "error.html", p, err)
		return
	}
	if r.URL.Query().Has("resent") {
		p.Notice = "We sent a new code. The one before it no longer works."
	}
	s.render(w, r, http.StatusOK, "flow.html", p)
}

func (s *Server) pageVerify(w http.ResponseWriter, r *http.Request) {
	in, err := s.engine.Verify(r.Context(), r.PathValue("flow_id"), r.PostFormValue("code"), s.requester(r))
	if err == nil {
		s.setSessionCookie(w, in)
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	s.renderFlowError(w, r, err)
}

func (s *Server) pageResend(w http.ResponseWriter, r *http.Request) {
	flow, err := s.engine.Resend(r.Context(), r.PathValue("flow_id"), s.requester(r))
	if err == nil {
		http.Redirect(w, r, "/flows/"+url.PathEscape(flow.ID)+"?resent=1", http.StatusSeeOther)
		return
	}
	s.renderFlowError(w, r, err)
}

// renderFlowError shows the code page again with err on it.
func (s *Server) renderFlowError(w http.ResponseWriter, r *http.Request, err error) {
	p, lookupErr := s.flowPage(r)
	if lookupErr != nil {
		s.renderError(w, r, "error.html", p, lookupErr)
		return
	}
	s.renderError(w, r, "flow.html", p, err)
}

func (s *Server) pageSignOut(w http.ResponseWriter, r *http.Request) {
	token := cookieToken(r)
	clearSessionCookie(w)
	if token != "" {
		err := s.engine.SignOut(r.Context(), token, s.requester(r))
		if err != nil && otpd.ErrorCode(err) != otpd.EUnauthorized {
			s.renderError(w, r, "error.html", s.newPage("Sign-out failed"), err)
			return
		}
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (s *Server) pageNotFound(w http.ResponseWriter, r *http.Request) {
	err := otpd.Errorf(otpd.ENotFound, "there is nothing at this address")
	if isAPI(r) {
		s.writeAPIError(w, r, err)
		return
	}
	s.renderError(w, r, "error.html", s.newPage("Page not found"), err)
}

// methodNotAllowed answers a known API path asked with the wrong method.
func (s *Server) methodNotAllowed(w http.ResponseWriter, r *http.Request) {
	s.writeAPIError(w, r, &otpd.Error{Code: eMethod, Message: r.Method + " is not allowed here"})
}
