package api

import (
	"cmp"
	"net/http"

	"github.com/otpd/otpd/web/edge"
)

// codeRequiredResponse answers a right password that is not enough: the
// flow of the code sent to the address, and why it was needed.
type codeRequiredResponse struct {
	flowResponse
	CodeRequired bool     `json:"code_required"`
	Reasons      []string `json:"reasons"`
}

// PasswordSignIn answers POST /api/v1/sign-in/password.
func (h *Handlers) PasswordSignIn(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Email    *string `json:"email"`
		Password *string `json:"password"`
	}
	if err := edge.DecodeJSON(r, &req); err != nil {
		return err
	}
	if err := cmp.Or(edge.Required("email", req.Email), edge.Required("password", req.Password)); err != nil {
		return err
	}
	res, err := h.Engine.PasswordSignIn(r.Context(), *req.Email, *req.Password, h.Requester(r))
	if err != nil {
		return err
	}
	if res.SignedIn != nil {
		h.writeSignedIn(w, *res.SignedIn)
		return nil
	}
	said := make([]string, len(res.Reasons))
	for i, rs := range res.Reasons {
		said[i] = rs.String()
	}
	edge.WriteJSON(w, http.StatusAccepted, codeRequiredResponse{newFlowResponse(*res.Flow), true, said})
	return nil
}

// SetPassword answers PUT /api/v1/me/password.
func (h *Handlers) SetPassword(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Password *string `json:"password"`
	}
	if err := edge.DecodeJSON(r, &req); err != nil {
		return err
	}
	if err := edge.Required("password", req.Password); err != nil {
		return err
	}
	c, err := h.BearerCaller(r)
	if err != nil {
		return err
	}
	if err := h.Engine.SetPassword(r.Context(), c, *req.Password, h.Requester(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// RemovePassword answers DELETE /api/v1/me/password.
func (h *Handlers) RemovePassword(w http.ResponseWriter, r *http.Request) error {
	c, err := h.BearerCaller(r)
	if err != nil {
		return err
	}
	if err := h.Engine.RemovePassword(r.Context(), c, h.Requester(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
