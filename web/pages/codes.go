package pages

import (
	"net/http"
	"net/url"
	"slices"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/signin"
	"github.com/otpd/otpd/web/activity"
	"github.com/otpd/otpd/web/edge"
)

// CodeKind is one kind of page that asks for a code: where its pages
// live, which template shows them, its title, and the purposes of the
// flows it finishes. A flow of another purpose opened under its path is
// not found there, rather than shown with a form that cannot finish it.
type CodeKind struct {
	base, template, title string
	purposes              []otpd.Purpose
	// restart is where the page starts its flow again with the code
	// sent to the recovery address; "" where that is not offered.
	restart string
	// session says the code works only in the session that asked for
	// it: a browser without a working session is sent to the start page.
	session bool
}

// The kinds of code pages, for the routes.
var (
	SignInCodes = CodeKind{base: "/flows/", template: "flow.html", title: "title.enter_code",
		purposes: []otpd.Purpose{otpd.PurposeSignIn, otpd.PurposeSignUp}, restart: "/sign-in"}
	ResetCodes = CodeKind{base: "/password/reset/", template: "reset.html", title: "title.reset",
		purposes: []otpd.Purpose{otpd.PurposeResetPassword}, restart: "/password/forgot"}
	StepUpCodes = CodeKind{base: "/step-up/", template: "stepup_code.html", title: "title.step_up",
		purposes: []otpd.Purpose{otpd.PurposeStepUp}}
	AddressCodes = CodeKind{base: "/account/addresses/", template: "address_code.html", title: "title.check_address",
		purposes: []otpd.Purpose{otpd.PurposeChangeEmail, otpd.PurposeAddRecovery}, session: true}
)

// codeView is the view of the four code pages: flow.html, reset.html,
// stepup_code.html and address_code.html, which share their parts
// (codeparts.html).
type codeView struct {
	layout
	Flow     signin.FlowState
	Closed   bool
	ResendIn int
	// Digits is how long a code is.
	Digits int
	// PasswordMin is the shortest password the policy takes, for the
	// reset page; 0 when the server was not told it.
	PasswordMin int
	// Reasons say, in plain words, why a right password needed a code.
	Reasons []string
	// Base is where the page's forms post: SignInCodes.base, ...
	Base string
	// Restart is where the page asks for the code to be sent to the
	// recovery address instead; ToRecovery marks a page whose code went
	// there.
	Restart    string
	ToRecovery bool
}

// errNotThisPage is a flow opened under the path of another kind of code.
var errNotThisPage = &otpd.Error{Code: otpd.ENotFound, Field: "flow_id",
	Message: "this code is not for this page; open the link you were given, or start again"}

// flowPage loads the code page of kind k for the flow in the URL. The
// return target is kept, where the page goes once its code is taken, and
// "to" for a code sent to the recovery address, which the page words for
// it.
func (p *Pages) flowPage(r *http.Request, k CodeKind) (*codeView, error) {
	v := &codeView{layout: p.returning(r, p.newLayout(k.title)), Digits: p.Engine.Policy().Digits, PasswordMin: p.passwordMin,
		Base: k.base, Restart: k.restart,
		ToRecovery: r.FormValue("to") == "recovery"}
	st, err := p.Engine.Lookup(r.Context(), r.PathValue("flow_id"))
	if err == nil && !slices.Contains(k.purposes, st.Purpose) {
		err = errNotThisPage
	}
	if err != nil {
		v.Title = "title.code_not_found"
		return v, err
	}
	now := p.Clock.Now()
	v.Flow = st
	v.Closed = st.Status != otpd.StatusPending || !now.Before(st.ExpiresAt)
	if wait := st.ResendAfter.Sub(now); wait > 0 {
		v.ResendIn = edge.RetrySeconds(wait)
	}
	return v, nil
}

// CodePage returns the handler that shows the code page of kind k.
func (p *Pages) CodePage(k CodeKind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if k.session {
			if _, ok := p.pageCaller(w, r); !ok {
				return
			}
		}
		v, err := p.flowPage(r, k)
		if err != nil {
			p.renderError(w, r, "error.html", &v.layout, err)
			return
		}
		q := r.URL.Query()
		if q.Has("resent") {
			v.Notice = "notice.new_code"
		}
		v.Reasons = activity.ReasonWords(p.lang(r, otpd.Account{}), q["why"])
		p.render(w, r, http.StatusOK, k.template, v)
	}
}

// Verify signs in with the code typed on a sign-in code page.
func (p *Pages) Verify(w http.ResponseWriter, r *http.Request) {
	in, err := p.Engine.Verify(r.Context(), r.PathValue("flow_id"), r.PostFormValue("code"), p.formRequester(r))
	if err == nil {
		p.SetSignInCookies(w, in)
		http.Redirect(w, r, p.returnOr(r, "/"), http.StatusSeeOther)
		return
	}
	p.renderFlowError(w, r, SignInCodes, err)
}

// formRequester is the requester of a code form, asking to remember the
// device when its "Remember this device" box is ticked.
func (p *Pages) formRequester(r *http.Request) signin.Requester {
	rq := p.Requester(r)
	rq.Remember = r.PostFormValue("remember") != ""
	return rq
}

// ResendTo returns the handler that sends a new code for the flow in the
// URL and goes back to its code page of kind k.
func (p *Pages) ResendTo(k CodeKind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		flow, err := p.Engine.Resend(r.Context(), r.PathValue("flow_id"), p.Requester(r))
		if err != nil {
			p.renderFlowError(w, r, k, err)
			return
		}
		q := p.withReturn(r, url.Values{"resent": {"1"}})
		http.Redirect(w, r, k.base+url.PathEscape(flow.ID)+query(q), http.StatusSeeOther)
	}
}

// renderFlowError shows the code page of kind k again with err on it.
func (p *Pages) renderFlowError(w http.ResponseWriter, r *http.Request, k CodeKind, err error) {
	v, lookupErr := p.flowPage(r, k)
	if lookupErr != nil {
		p.renderError(w, r, "error.html", &v.layout, lookupErr)
		return
	}
	p.renderError(w, r, k.template, v, err)
}
