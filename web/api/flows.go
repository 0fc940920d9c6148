package api

import (
	"context"
	"net/http"
	"time"

	"github.com/otpd/otpd/signin"
	"github.com/otpd/otpd/web/edge"
)

// A sign-in is a flow: a code sent for it, resent, and verified into a
// session.

type flowResponse struct {
	FlowID      string    `json:"flow_id"`
	ExpiresAt   time.Time `json:"expires_at"`
	ResendAfter time.Time `json:"resend_after"`
}

func newFlowResponse(f signin.Flow) flowResponse {
	return flowResponse{FlowID: f.ID, ExpiresAt: f.ExpiresAt, ResendAfter: f.ResendAfter}
}

// SignIn sends a sign-in code: POST /api/v1/sign-in.
func (h *Handlers) SignIn(w http.ResponseWriter, r *http.Request) error {
	return h.sendCode(w, r, h.StartSignIn)
}

// sendCode answers a request that names an address, and perhaps its
// recovery address, for a code: start sends it.
func (h *Handlers) sendCode(w http.ResponseWriter, r *http.Request,
	start func(context.Context, string, bool, signin.Requester) (signin.Flow, error)) error {
	var req struct {
		Email  *string `json:"email"`
		SendTo *string `json:"send_to"`
	}
	if err := edge.DecodeJSON(r, &req); err != nil {
		return err
	}
	if err := edge.Required("email", req.Email); err != nil {
		return err
	}
	recovery, err := edge.SendToRecovery(req.SendTo)
	if err != nil {
		return err
	}
	flow, err := start(r.Context(), *req.Email, recovery, h.Requester(r))
	if err != nil {
		return err
	}
	edge.WriteJSON(w, http.StatusAccepted, newFlowResponse(flow))
	return nil
}

// Resend sends a new code for a flow: POST /api/v1/flows/{flow_id}/resend.
func (h *Handlers) Resend(w http.ResponseWriter, r *http.Request) error {
	flow, err := h.Engine.Resend(r.Context(), r.PathValue("flow_id"), h.Requester(r))
	if err != nil {
		return err
	}
	edge.WriteJSON(w, http.StatusAccepted, newFlowResponse(flow))
	return nil
}

// Verify signs in with a flow's code: POST /api/v1/flows/{flow_id}/verify.
func (h *Handlers) Verify(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Code           *string `json:"code"`
		RememberDevice bool    `json:"remember_device"`
	}
	if err := edge.DecodeJSON(r, &req); err != nil {
		return err
	}
	if err := edge.Required("code", req.Code); err != nil {
		return err
	}
	rq := h.Requester(r)
	rq.Remember = req.RememberDevice
	in, err := h.Engine.Verify(r.Context(), r.PathValue("flow_id"), *req.Code, rq)
	if err != nil {
		return err
	}
	h.writeSignedIn(w, in)
	return nil
}

// writeSignedIn answers a verified code or password: the session token
// in the body for API clients, and the cookies for pages.
func (h *Handlers) writeSignedIn(w http.ResponseWriter, in signin.SignedIn) {
	h.SetSignInCookies(w, in)
	edge.WriteJSON(w, http.StatusOK, struct {
		SessionToken string      `json:"session_token"`
		ExpiresAt    time.Time   `json:"expires_at"`
		Account      accountJSON `json:"account"`
	}{in.Token, in.Session.ExpiresAt, newAccountJSON(in.Account, h.Clock.Now())})
}

// sessionCode reads a code submitted in a signed-in session: the body's
// code and the bearer token's caller; a missing code is told before a
// missing token.
func (h *Handlers) sessionCode(r *http.Request) (c signin.Caller, code string, err error) {
	var req struct {
		Code *string `json:"code"`
	}
	if err := edge.DecodeJSON(r, &req); err != nil {
		return signin.Caller{}, "", err
	}
	if err := edge.Required("code", req.Code); err != nil {
		return signin.Caller{}, "", err
	}
	c, err = h.BearerCaller(r)
	return c, *req.Code, err
}
