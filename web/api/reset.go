package api

import (
	"cmp"
	"net/http"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/web/edge"
)

// ForgotPassword sends a reset code: POST /api/v1/password/forgot. Its
// answer is the same, in shape and in time, whether or not the address
// has an account (invariant 6): one without gets a notice and no code.
func (h *Handlers) ForgotPassword(w http.ResponseWriter, r *http.Request) error {
	return h.sendCode(w, r, h.StartReset)
}

// ResetPassword sets a new password with a reset code and signs in:
// POST /api/v1/password/reset. Every other session of the account ends.
func (h *Handlers) ResetPassword(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		FlowID         *string `json:"flow_id"`
		Code           *string `json:"code"`
		Password       *string `json:"password"`
		RememberDevice bool    `json:"remember_device"`
	}
	if err := edge.DecodeJSON(r, &req); err != nil {
		return err
	}
	err := cmp.Or(edge.Required("flow_id", req.FlowID), edge.Required("code", req.Code), edge.Required("password", req.Password))
	if err != nil {
		return err
	}
	if !edge.PlausibleID(*req.FlowID) {
		return &otpd.Error{Code: otpd.ENotFound, Field: "flow_id", Message: "this reset does not exist or has ended; start again"}
	}
	rq := h.Requester(r)
	rq.Remember = req.RememberDevice
	in, err := h.Engine.ResetPassword(r.Context(), *req.FlowID, *req.Code, *req.Password, rq)
	if err != nil {
		return err
	}
	h.writeSignedIn(w, in)
	return nil
}
