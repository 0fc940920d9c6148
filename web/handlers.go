package web

import (
	"net/http"
	"net/url"
	"slices"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/signin"
)

// homeEvents is how many events the home page reads, and homeEntries
// how many entries it shows of them; the activity page has the rest.
const (
	homeEvents  = 50
	homeEntries = 5
)

func (s *Server) pageHome(w http.ResponseWriter, r *http.Request) {
	token := cookieToken(r)
	if token == "" {
		s.render(w, r, http.StatusOK, "signin.html", s.newPage("Sign in"))
		return
	}
	c, err := s.authenticate(r.Context(), token)
	if otpd.ErrorCode(err) == otpd.EUnauthorized {
		clearSessionCookie(w)
		p := s.newPage("Sign in")
		p.Notice = "Your session has ended. Sign in again."
		s.render(w, r, http.StatusOK, "signin.html", p)
		return
	}
	p := s.newPage("Your account")
	if err == nil {
		err = s.loadHome(r, &p, c)
	}
	if err != nil {
		s.renderError(w, r, "error.html", p, err)
		return
	}
	p.Notice = doneNotices[r.URL.Query().Get("done")]
	s.render(w, r, http.StatusOK, "home.html", p)
}

// loadHome fills the signed-in home page: the account, the codes it did
// not use, its recent activity, its sessions and remembered devices.
func (s *Server) loadHome(r *http.Request, p *page, c caller) error {
	ctx := r.Context()
	unused, err := s.engine.UnusedCodes(ctx, c.Caller)
	if err != nil {
		return err
	}
	es, err := s.entries(ctx, c, homeEvents)
	if err != nil {
		return err
	}
	ss, _, err := s.engine.Sessions(ctx, c.Caller)
	if err != nil {
		return err
	}
	ds, err := s.engine.Devices(ctx, c.Caller)
	if err != nil {
		return err
	}
	p.Account, p.Unused, p.Recent = c.account, newUnusedNotice(unused), es[:min(len(es), homeEntries)]
	p.SessionCount, p.Devices = len(ss), deviceViews(ds, c.session.DeviceID)
	p.UnderAttack = c.account.UnderAttackAt(s.clock.Now())
	return nil
}

// doneNotices are what a page says after a change made on another; the
// URL names one by key, so that a link cannot put words of its own
// on the page.
var doneNotices = map[string]string{
	"password-set":     "Your password is set. On a remembered device it signs you in on its own; anywhere else you also need a code.",
	"password-removed": "Your password is removed. You sign in with a code sent to your address.",
	"reset":            "Your new password is set, and every other session was signed out.",
	"device-forgotten": "The device is forgotten. A password alone no longer signs in there; a code is needed as well.",

	"signed-out-everywhere": "Every other session of your account is signed out; this one stays.",
	"code-sign-in-off":      "Code-only sign-in is off. You sign in with your password and a code; codes asked for without your password are not sent.",
	"code-sign-in-on":       "Code-only sign-in is on again: a code sent to your address signs you in.",
	"email-changed":         "Your sign-in address is changed. We told your old address, with a link that undoes the change for 7 days.",
	"recovery-added":        "Your recovery address is added. If you cannot read your sign-in address, a sign-in or reset code can be sent there instead.",
	"recovery-removed":      "Your recovery address is removed. Codes go only to your sign-in address.",
	"session-ended":         "The session is signed out. If you did not know it, change your password too.",
}

func (s *Server) pageSignIn(w http.ResponseWriter, r *http.Request) {
	email := r.PostFormValue("email")
	recovery, err := formSendTo(r)
	var flow signin.Flow
	if err == nil {
		flow, err = s.startSignIn(r.Context(), email, recovery, s.requester(r))
	}
	if err != nil {
		p := s.newPage("Sign in")
		p.Email = email
		s.renderError(w, r, "signin.html", p, err)
		return
	}
	http.Redirect(w, r, "/flows/"+url.PathEscape(flow.ID)+toRecoveryQuery(recovery), http.StatusSeeOther)
}

// codeKind is one kind of page that asks for a code: where its pages
// live, which template shows them, its title, and the purposes of the
// flows it finishes. A flow of another purpose opened under its path is
// not found there, rather than shown with a form that cannot finish it.
type codeKind struct {
	base, template, title string
	purposes              []otpd.Purpose
	// restart is where the page starts its flow again with the code
	// sent to the recovery address; "" where that is not offered.
	restart string
	// session says the code works only in the session that asked for
	// it: a browser without a working session is sent to the start page.
	session bool
}

var (
	signInCodes = codeKind{base: "/flows/", template: "flow.html", title: "Enter your code",
		purposes: []otpd.Purpose{otpd.PurposeSignIn, otpd.PurposeSignUp}, restart: "/sign-in"}
	resetCodes = codeKind{base: "/password/reset/", template: "reset.html", title: "Choose a new password",
		purposes: []otpd.Purpose{otpd.PurposeResetPassword}, restart: "/password/forgot"}
	stepUpCodes = codeKind{base: "/step-up/", template: "stepup_code.html", title: "Confirm it's you",
		purposes: []otpd.Purpose{otpd.PurposeStepUp}}
	addressCodes = codeKind{base: "/account/addresses/", template: "address_code.html", title: "Check the new address",
		purposes: []otpd.Purpose{otpd.PurposeChangeEmail, otpd.PurposeAddRecovery}, session: true}
)

// errNotThisPage is a flow opened under the path of another kind of code.
var errNotThisPage = &otpd.Error{Code: otpd.ENotFound, Field: "flow_id",
	Message: "this code is not for this page; open the link you were given, or start again"}

// flowPage loads the code page of kind k for the flow in the URL. Return
// is kept for a step-up's code page, which goes back there, and "to" for
// a code sent to the recovery address, which the page words for it.
func (s *Server) flowPage(r *http.Request, k codeKind) (page, error) {
	p := s.newPage(k.title)
	p.Base, p.Return, p.Restart = k.base, safeReturn(r.FormValue("return")), k.restart
	p.ToRecovery = r.FormValue("to") == "recovery"
	st, err := s.engine.Lookup(r.Context(), r.PathValue("flow_id"))
	if err == nil && !slices.Contains(k.purposes, st.Purpose) {
		err = errNotThisPage
	}
	if err != nil {
		p.Title = "Code not found"
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

// codePage returns a handler that shows the code page of kind k.
func (s *Server) codePage(k codeKind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if k.session {
			if _, ok := s.pageCaller(w, r); !ok {
				return
			}
		}
		p, err := s.flowPage(r, k)
		if err != nil {
			s.renderError(w, r, "error.html", p, err)
			return
		}
		q := r.URL.Query()
		if q.Has("resent") {
			p.Notice = "We sent a new code. The one before it no longer works."
		}
		p.Reasons = reasonWords(q["why"])
		s.render(w, r, http.StatusOK, k.template, p)
	}
}

func (s *Server) pageVerify(w http.ResponseWriter, r *http.Request) {
	in, err := s.engine.Verify(r.Context(), r.PathValue("flow_id"), r.PostFormValue("code"), s.formRequester(r))
	if err == nil {
		s.setSignInCookies(w, in)
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	s.renderFlowError(w, r, signInCodes, err)
}

// formRequester is the requester of a code form, asking to remember the
// device when its "Remember this device" box is ticked.
func (s *Server) formRequester(r *http.Request) signin.Requester {
	rq := s.requester(r)
	rq.Remember = r.PostFormValue("remember") != ""
	return rq
}

// resendTo returns a handler that sends a new code for the flow in the
// URL and goes back to its code page of kind k.
func (s *Server) resendTo(k codeKind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		flow, err := s.engine.Resend(r.Context(), r.PathValue("flow_id"), s.requester(r))
		if err != nil {
			s.renderFlowError(w, r, k, err)
			return
		}
		q := url.Values{"resent": {"1"}}
		if ret := safeReturn(r.PostFormValue("return")); ret != "/" {
			q.Set("return", ret)
		}
		http.Redirect(w, r, k.base+url.PathEscape(flow.ID)+"?"+q.Encode(), http.StatusSeeOther)
	}
}

// renderFlowError shows the code page of kind k again with err on it.
func (s *Server) renderFlowError(w http.ResponseWriter, r *http.Request, k codeKind, err error) {
	p, lookupErr := s.flowPage(r, k)
	if lookupErr != nil {
		s.renderError(w, r, "error.html", p, lookupErr)
		return
	}
	s.renderError(w, r, k.template, p, err)
}

func (s *Server) pageSignOut(w http.ResponseWriter, r *http.Request) {
	token := cookieToken(r)
	clearSessionCookie(w)
	if token != "" {
		// A session that no longer works is signed out already.
		c, err := s.authenticate(r.Context(), token)
		if err == nil {
			err = s.engine.SignOut(r.Context(), c.Caller, s.requester(r))
		}
		if err != nil && otpd.ErrorCode(err) != otpd.EUnauthorized {
			s.renderError(w, r, "error.html", s.newPage("Sign-out failed"), err)
			return
		}
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (s *Server) pageNotFound(w http.ResponseWriter, r *http.Request) {
	s.notFound(w, r, "")
}

// methodNotAllowed answers a known API path asked with the wrong method.
func (s *Server) methodNotAllowed(w http.ResponseWriter, r *http.Request) {
	s.writeAPIError(w, r, &otpd.Error{Code: eMethod, Message: r.Method + " is not allowed here"})
}
