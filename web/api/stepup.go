package api

import (
	"net/http"
	"time"

	"github.com/otpd/otpd/web/edge"
)

// A step-up is a code sent to the account's address and entered in the
// session that asked for it. For a while afterwards the session may make
// sensitive changes (the password, the addresses, code-only sign-in,
// signing out everywhere); without one the engine answers
// step_up_required.

// StepUp answers POST /api/v1/me/step-up.
func (h *Handlers) StepUp(w http.ResponseWriter, r *http.Request) error {
	c, err := h.BearerCaller(r)
	if err != nil {
		return err
	}
	flow, err := h.Engine.StepUp(r.Context(), c, h.Requester(r))
	if err != nil {
		return err
	}
	edge.WriteJSON(w, http.StatusAccepted, newFlowResponse(flow))
	return nil
}

// VerifyStepUp answers POST /api/v1/me/step-up/{flow_id}/verify.
func (h *Handlers) VerifyStepUp(w http.ResponseWriter, r *http.Request) error {
	c, code, err := h.sessionCode(r)
	if err != nil {
		return err
	}
	sess, err := h.Engine.VerifyStepUp(r.Context(), c, r.PathValue("flow_id"), code, h.Requester(r))
	if err != nil {
		return err
	}
	edge.WriteJSON(w, http.StatusOK, struct {
		SteppedUpAt time.Time `json:"stepped_up_at"`
		ValidUntil  time.Time `json:"valid_until"`
	}{sess.SteppedUpAt, sess.SteppedUpAt.Add(h.Engine.Policy().StepUpFor)})
	return nil
}
