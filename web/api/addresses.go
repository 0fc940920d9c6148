package api

import (
	"context"
	"net/http"

	"github.com/otpd/otpd/signin"
	"github.com/otpd/otpd/web/edge"
)

// A new sign-in or recovery address is confirmed by a code sent to it and
// typed in the session that asked, which needs a recent step-up. After a
// change of sign-in address the old address is told, and its link undoes
// the change for 7 days (web/pages/deny.go).

// ChangeEmail sends a code to a new sign-in address: POST /api/v1/me/email.
func (h *Handlers) ChangeEmail(w http.ResponseWriter, r *http.Request) error {
	return h.newAddress(w, r, (*signin.Engine).ChangeEmail)
}

// AddRecovery sends a code to a new recovery address: POST
// /api/v1/me/recovery.
func (h *Handlers) AddRecovery(w http.ResponseWriter, r *http.Request) error {
	return h.newAddress(w, r, (*signin.Engine).AddRecovery)
}

// addressStarter is Engine.ChangeEmail or Engine.AddRecovery: it sends
// the code to the new address.
type addressStarter func(e *signin.Engine, ctx context.Context, c signin.Caller, email string, r signin.Requester) (signin.Flow, error)

// newAddress starts confirming a new address with start.
func (h *Handlers) newAddress(w http.ResponseWriter, r *http.Request, start addressStarter) error {
	var req struct {
		Email *string `json:"email"`
	}
	if err := edge.DecodeJSON(r, &req); err != nil {
		return err
	}
	if err := edge.Required("email", req.Email); err != nil {
		return err
	}
	c, err := h.BearerCaller(r)
	if err != nil {
		return err
	}
	flow, err := start(h.Engine, r.Context(), c, *req.Email, h.Requester(r))
	if err != nil {
		return err
	}
	edge.WriteJSON(w, http.StatusAccepted, newFlowResponse(flow))
	return nil
}

// ConfirmAddress answers POST /api/v1/me/addresses/{flow_id}/verify.
func (h *Handlers) ConfirmAddress(w http.ResponseWriter, r *http.Request) error {
	c, code, err := h.sessionCode(r)
	if err != nil {
		return err
	}
	acct, err := h.Engine.ConfirmAddress(r.Context(), c, r.PathValue("flow_id"), code, h.Requester(r))
	if err != nil {
		return err
	}
	edge.WriteJSON(w, http.StatusOK, newAccountJSON(acct, h.Clock.Now()))
	return nil
}

// RemoveRecovery answers DELETE /api/v1/me/recovery.
func (h *Handlers) RemoveRecovery(w http.ResponseWriter, r *http.Request) error {
	c, err := h.BearerCaller(r)
	if err != nil {
		return err
	}
	if err := h.Engine.RemoveRecovery(r.Context(), c, h.Requester(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
