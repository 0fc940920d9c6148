package pages

import (
	"net/http"
	"net/url"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/signin"
)

// A step-up is a code sent to the account's address and entered in the
// session that asked for it. A sensitive change asks for one before the
// person fills its form in (steppedUpCaller), and again if it ran out
// meanwhile (finishChange); the engine decides.

// renderStepUp shows stepup.html, the page that offers to send a step-up
// code, on the way to ret (a return target); err, when set, is why it is
// shown.
func (p *Pages) renderStepUp(w http.ResponseWriter, r *http.Request, c signin.Caller, ret string, err error) {
	v := p.accountLayout("title.step_up", c.Account()).returning(p.checkReturn(r.Context(), ret))
	if err != nil {
		p.renderError(w, r, "stepup.html", &v, err)
		return
	}
	p.render(w, r, http.StatusOK, "stepup.html", &v)
}

// StepUp offers a step-up on the way back to the page in the URL.
func (p *Pages) StepUp(w http.ResponseWriter, r *http.Request) {
	if c, ok := p.pageCaller(w, r); ok {
		p.renderStepUp(w, r, c, r.URL.Query().Get("return"), nil)
	}
}

// StepUpSend sends the step-up code and goes on to the page that asks
// for it.
func (p *Pages) StepUpSend(w http.ResponseWriter, r *http.Request) {
	c, ok := p.pageCaller(w, r)
	if !ok {
		return
	}
	flow, err := p.Engine.StepUp(r.Context(), c, p.Requester(r))
	if err != nil {
		p.renderStepUp(w, r, c, r.PostFormValue("return"), err)
		return
	}
	http.Redirect(w, r, "/step-up/"+url.PathEscape(flow.ID)+query(p.withReturn(r, url.Values{})), http.StatusSeeOther)
}

// StepUpVerify takes the step-up code and goes back where it was asked.
func (p *Pages) StepUpVerify(w http.ResponseWriter, r *http.Request) {
	c, ok := p.pageCaller(w, r)
	if !ok {
		return
	}
	_, err := p.Engine.VerifyStepUp(r.Context(), c, r.PathValue("flow_id"), r.PostFormValue("code"), p.Requester(r))
	if err != nil {
		p.renderFlowError(w, r, StepUpCodes, err)
		return
	}
	http.Redirect(w, r, p.returnOr(r, "/"), http.StatusSeeOther)
}

// steppedUpCaller is pageCaller for the form of a sensitive change: a
// session without a recent step-up is offered one first, on the way back
// to ret, rather than after the person has filled the form in.
func (p *Pages) steppedUpCaller(w http.ResponseWriter, r *http.Request, ret string) (signin.Caller, bool) {
	c, ok := p.pageCaller(w, r)
	if ok && !p.steppedUp(c) {
		p.renderStepUp(w, r, c, ret, nil)
		return signin.Caller{}, false
	}
	return c, ok
}

// finishChange answers a page's sensitive change that returned err: on to
// done when it worked; to the step-up page, and then back to ret, when the
// session needs one; otherwise the page v again, in template name, with
// the error.
func (p *Pages) finishChange(w http.ResponseWriter, r *http.Request, c signin.Caller, err error, done, ret, name string, v view) {
	switch otpd.ErrorCode(err) {
	case "":
		http.Redirect(w, r, done, http.StatusSeeOther)
	case otpd.EStepUpRequired:
		p.renderStepUp(w, r, c, ret, err)
	default:
		p.renderError(w, r, name, v, err)
	}
}
