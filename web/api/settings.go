package api

import (
	"net/http"

	"github.com/otpd/otpd/web/edge"
)

// Two answers an owner has when someone else is at their account, both
// behind a step-up: signing every other session out, and turning
// code-only sign-in off, which stops a flood of code emails they did not
// ask for.

// SignOutEverywhere answers POST /api/v1/me/sign-out-everywhere.
func (h *Handlers) SignOutEverywhere(w http.ResponseWriter, r *http.Request) error {
	c, err := h.BearerCaller(r)
	if err != nil {
		return err
	}
	n, err := h.Engine.SignOutEverywhere(r.Context(), c, h.Requester(r))
	if err != nil {
		return err
	}
	edge.WriteJSON(w, http.StatusOK, struct {
		Ended int `json:"ended"`
	}{n})
	return nil
}

// SetSettings answers PUT /api/v1/me/settings.
func (h *Handlers) SetSettings(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		CodeSignIn *bool `json:"code_sign_in"`
	}
	if err := edge.DecodeJSON(r, &req); err != nil {
		return err
	}
	if err := edge.Required("code_sign_in", req.CodeSignIn); err != nil {
		return err
	}
	c, err := h.BearerCaller(r)
	if err != nil {
		return err
	}
	if err := h.Engine.SetCodeSignIn(r.Context(), c, *req.CodeSignIn, h.Requester(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// SetLanguage answers PUT /api/v1/me/language: the language of the
// account's pages and emails, one of the catalogue's tags or "" for none.
func (h *Handlers) SetLanguage(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Language *string `json:"language"`
	}
	if err := edge.DecodeJSON(r, &req); err != nil {
		return err
	}
	if err := edge.Required("language", req.Language); err != nil {
		return err
	}
	c, err := h.BearerCaller(r)
	if err != nil {
		return err
	}
	if err := h.Engine.SetLanguage(r.Context(), c, *req.Language); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
