package pages

import (
	"net/http"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/web/activity"
)

// "This wasn't me" from the activity page: the owner reports a code
// request by its flow, with the same effect as the email's link (deny.go).
// A GET shows what is about to happen; only the form's POST reports.

var errNoSuchRequest = &otpd.Error{Code: otpd.ENotFound, Field: "flow_id",
	Message: "this code request is not in your account's activity"}

// reportView is report.html's: the code request about to be reported.
type reportView struct {
	layout
	Report activity.Entry
}

// reportedView is reported.html's: what the report did.
type reportedView struct {
	layout
	Challenge otpd.Challenge
	// Closed: the code had been used before the report.
	Closed bool
	// SignedOut: the report signed out the session it was made in.
	SignedOut bool
}

// ReportConfirm shows the code request in the URL and asks for a click.
func (p *Pages) ReportConfirm(w http.ResponseWriter, r *http.Request) {
	c, ok := p.pageCaller(w, r)
	if !ok {
		return
	}
	v := &reportView{layout: p.accountLayout("title.report", c.Account())}
	es, err := p.entries(r, c, activityPageEvents)
	if err == nil {
		err = errNoSuchRequest
		for _, e := range es {
			if e.Request && e.FlowID == r.PathValue("flow_id") {
				v.Report, err = e, nil
			}
		}
	}
	if err != nil {
		v.Title = "title.report_not_found"
		p.renderError(w, r, "error.html", &v.layout, err)
		return
	}
	p.render(w, r, http.StatusOK, "report.html", v)
}

// Report reports the code request in the URL.
func (p *Pages) Report(w http.ResponseWriter, r *http.Request) {
	c, ok := p.pageCaller(w, r)
	if !ok {
		return
	}
	v := &reportedView{layout: p.accountLayout("title.reported", c.Account())}
	ch, err := p.Engine.ReportFlow(r.Context(), c, r.PathValue("flow_id"), p.Requester(r))
	if otpd.ErrorCode(err) == otpd.ENotFound {
		// The engine words it for a code page; this is the activity.
		err = errNoSuchRequest
	}
	if err != nil {
		v.Title = "title.not_reported"
		p.renderError(w, r, "error.html", &v.layout, err)
		return
	}
	v.Challenge, v.Closed = ch, ch.Status == otpd.StatusUsed
	// The report signs out every session started from the request's
	// address since; this one too, if it was one of them.
	if out, err := p.Engine.SignedOut(r.Context(), c); err == nil && out {
		p.ClearSessionCookie(w)
		v.SignedOut = true
	}
	p.render(w, r, http.StatusOK, "reported.html", v)
}
