package web

import (
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/otpd/otpd"
)

// A step-up is a code sent to the account's address and entered in the
// session that asked for it. For a while afterwards the session may make
// sensitive changes (the password, the addresses, code-only sign-in,
// signing out everywhere); without one the engine answers
// step_up_required.

func (s *Server) apiStepUp(w http.ResponseWriter, r *http.Request) error {
	c, err := s.apiCaller(r)
	if err != nil {
		return err
	}
	flow, err := s.engine.StepUp(r.Context(), c.Caller, s.requester(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, newFlowResponse(flow))
	return nil
}

func (s *Server) apiVerifyStepUp(w http.ResponseWriter, r *http.Request) error {
	c, code, err := s.sessionCode(r)
	if err != nil {
		return err
	}
	sess, err := s.engine.VerifyStepUp(r.Context(), c.Caller, r.PathValue("flow_id"), code, s.requester(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, struct {
		SteppedUpAt time.Time `json:"stepped_up_at"`
		ValidUntil  time.Time `json:"valid_until"`
	}{sess.SteppedUpAt, sess.SteppedUpAt.Add(s.engine.Policy().StepUpFor)})
	return nil
}

// stepUpReturns are the pages a step-up may lead back to. A return path
// comes from the URL or a form, so only these are followed: a crafted
// link cannot send a person anywhere else after they enter a code.
var stepUpReturns = []string{"/", "/account/password", "/account/password/remove", "/account/email",
	"/account/recovery", "/account/recovery/remove", "/account/code-sign-in", "/account/sign-out-everywhere"}

func safeReturn(path string) string {
	if slices.Contains(stepUpReturns, path) {
		return path
	}
	return "/"
}

// renderStepUp shows the page that offers to send a step-up code, on the
// way to ret; err, when set, is why it is shown.
func (s *Server) renderStepUp(w http.ResponseWriter, r *http.Request, c caller, ret string, err error) {
	p := s.newPage("Confirm it's you")
	p.Account, p.Return = c.account, ret
	if err != nil {
		s.renderError(w, r, "stepup.html", p, err)
		return
	}
	s.render(w, r, http.StatusOK, "stepup.html", p)
}

func (s *Server) pageStepUp(w http.ResponseWriter, r *http.Request) {
	if c, ok := s.pageCaller(w, r); ok {
		s.renderStepUp(w, r, c, safeReturn(r.URL.Query().Get("return")), nil)
	}
}

func (s *Server) pageStepUpSend(w http.ResponseWriter, r *http.Request) {
	c, ok := s.pageCaller(w, r)
	if !ok {
		return
	}
	ret := safeReturn(r.PostFormValue("return"))
	flow, err := s.engine.StepUp(r.Context(), c.Caller, s.requester(r))
	if err != nil {
		s.renderStepUp(w, r, c, ret, err)
		return
	}
	q := url.Values{"return": {ret}}
	http.Redirect(w, r, "/step-up/"+url.PathEscape(flow.ID)+"?"+q.Encode(), http.StatusSeeOther)
}

func (s *Server) pageStepUpVerify(w http.ResponseWriter, r *http.Request) {
	c, ok := s.pageCaller(w, r)
	if !ok {
		return
	}
	_, err := s.engine.VerifyStepUp(r.Context(), c.Caller, r.PathValue("flow_id"), r.PostFormValue("code"), s.requester(r))
	if err != nil {
		s.renderFlowError(w, r, stepUpCodes, err)
		return
	}
	http.Redirect(w, r, safeReturn(r.PostFormValue("return")), http.StatusSeeOther)
}

// steppedUpCaller is pageCaller for the form of a sensitive change: a
// session without a recent step-up is offered one first, on the way back
// to ret, rather than after the person has filled the form in.
func (s *Server) steppedUpCaller(w http.ResponseWriter, r *http.Request, ret string) (caller, bool) {
	c, ok := s.pageCaller(w, r)
	if ok && !s.steppedUp(c) {
		s.renderStepUp(w, r, c, ret, nil)
		return caller{}, false
	}
	return c, ok
}

// finishChange answers a page's sensitive change that returned err: on to
// done when it worked; to the step-up page, and then back to ret, when the
// session needs one; otherwise the page p again, in template name, with
// the error.
func (s *Server) finishChange(w http.ResponseWriter, r *http.Request, c caller, err error, done, ret, name string, p page) {
	switch otpd.ErrorCode(err) {
	case "":
		http.Redirect(w, r, done, http.StatusSeeOther)
	case otpd.EStepUpRequired:
		s.renderStepUp(w, r, c, ret, err)
	default:
		s.renderError(w, r, name, p, err)
	}
}
