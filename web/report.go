package web

import (
	"net/http"
	"time"

	"github.com/otpd/otpd"
)

// "This wasn't me" from the activity page: the owner reports a code
// request by its flow, with the same effect as the email's link (deny.go).
// A GET shows what is about to happen; only the form's POST reports.

var errNoSuchRequest = &otpd.Error{Code: otpd.ENotFound, Field: "flow_id",
	Message: "this code request is not in your account's activity"}

func (s *Server) pageReportConfirm(w http.ResponseWriter, r *http.Request) {
	c, ok := s.pageCaller(w, r)
	if !ok {
		return
	}
	p := s.accountPage("Report this code request?", c)
	es, err := s.entries(r.Context(), c, activityPageEvents)
	if err == nil {
		err = errNoSuchRequest
		for _, e := range es {
			if e.Request && e.FlowID == r.PathValue("flow_id") {
				p.Report, err = e, nil
			}
		}
	}
	if err != nil {
		p.Title = "Code request not found"
		s.renderError(w, r, "error.html", p, err)
		return
	}
	s.render(w, r, http.StatusOK, "report.html", p)
}

func (s *Server) pageReport(w http.ResponseWriter, r *http.Request) {
	c, ok := s.pageCaller(w, r)
	if !ok {
		return
	}
	p := s.accountPage("Thank you: your report is recorded", c)
	ch, err := s.engine.ReportFlow(r.Context(), c.Caller, r.PathValue("flow_id"), s.requester(r))
	if otpd.ErrorCode(err) == otpd.ENotFound {
		// The engine words it for a code page; this is the activity.
		err = errNoSuchRequest
	}
	if err != nil {
		p.Title = "The report was not recorded"
		s.renderError(w, r, "error.html", p, err)
		return
	}
	p.Challenge, p.Closed = ch, ch.Status == otpd.StatusUsed
	// The report signs out every session started from the request's
	// address since; this one too, if it was one of them.
	if out, err := s.engine.SignedOut(r.Context(), c.Caller); err == nil && out {
		clearSessionCookie(w)
		p.SignedOut = true
	}
	s.render(w, r, http.StatusOK, "reported.html", p)
}

type reportJSON struct {
	FlowID      string               `json:"flow_id"`
	Purpose     otpd.Purpose         `json:"purpose"`
	Status      otpd.ChallengeStatus `json:"status"`
	RequestedAt time.Time            `json:"requested_at"`
	IP          string               `json:"ip"`
	UserAgent   string               `json:"user_agent"`
}

func (s *Server) apiReport(w http.ResponseWriter, r *http.Request) error {
	c, err := s.apiCaller(r)
	if err != nil {
		return err
	}
	ch, err := s.engine.ReportFlow(r.Context(), c.Caller, r.PathValue("flow_id"), s.requester(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, reportJSON{FlowID: ch.FlowID, Purpose: ch.Purpose, Status: ch.Status,
		RequestedAt: ch.CreatedAt, IP: ch.IP, UserAgent: ch.UserAgent})
	return nil
}
