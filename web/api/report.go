package api

import (
	"net/http"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/web/edge"
)

// "This wasn't me" from an app: the owner reports a code request by its
// flow, with the same effect as the email's link.

type reportJSON struct {
	FlowID      string               `json:"flow_id"`
	Purpose     otpd.Purpose         `json:"purpose"`
	Status      otpd.ChallengeStatus `json:"status"`
	RequestedAt time.Time            `json:"requested_at"`
	IP          string               `json:"ip"`
	UserAgent   string               `json:"user_agent"`
}

// Report answers POST /api/v1/me/activity/{flow_id}/report.
func (h *Handlers) Report(w http.ResponseWriter, r *http.Request) error {
	c, err := h.BearerCaller(r)
	if err != nil {
		return err
	}
	ch, err := h.Engine.ReportFlow(r.Context(), c, r.PathValue("flow_id"), h.Requester(r))
	if err != nil {
		return err
	}
	edge.WriteJSON(w, http.StatusOK, reportJSON{FlowID: ch.FlowID, Purpose: ch.Purpose, Status: ch.Status,
		RequestedAt: ch.CreatedAt, IP: ch.IP, UserAgent: ch.UserAgent})
	return nil
}
