package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/signin"
)

// apiHandler adapts a handler that returns an error into one that answers
// it as JSON.
func (s *Server) apiHandler(h func(http.ResponseWriter, *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.writeAPIError(w, r, err)
		}
	})
}

type flowResponse struct {
	FlowID      string    `json:"flow_id"`
	ExpiresAt   time.Time `json:"expires_at"`
	ResendAfter time.Time `json:"resend_after"`
}

func newFlowResponse(f signin.Flow) flowResponse {
	return flowResponse{FlowID: f.ID, ExpiresAt: f.ExpiresAt, ResendAfter: f.ResendAfter}
}

func (s *Server) apiSignIn(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Email  *string `json:"email"`
		SendTo *string `json:"send_to"`
	}
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if err := required("email", req.Email); err != nil {
		return err
	}
	recovery, err := sendToRecovery(req.SendTo)
	if err != nil {
		return err
	}
	flow, err := s.startSignIn(r.Context(), *req.Email, recovery, s.requester(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, newFlowResponse(flow))
	return nil
}

func (s *Server) apiResend(w http.ResponseWriter, r *http.Request) error {
	flow, err := s.engine.Resend(r.Context(), r.PathValue("flow_id"), s.requester(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, newFlowResponse(flow))
	return nil
}

type accountJSON struct {
	ID          string    `json:"id"`
	Email       string    `json:"email"`
	CreatedAt   time.Time `json:"created_at"`
	HasPassword bool      `json:"has_password"`
	CodeSignIn  bool      `json:"code_sign_in"`
	// RecoveryEmail is masked even for the owner: an app may show it on
	// a screen someone else can see, and the owner knows it anyway.
	RecoveryEmail    string     `json:"recovery_email,omitempty"`
	UnderAttackUntil *time.Time `json:"under_attack_until,omitempty"`
}

// newAccountJSON describes a as it is at now, which tells whether a
// campaign against it is still on.
func newAccountJSON(a otpd.Account, now time.Time) accountJSON {
	out := accountJSON{ID: a.ID, Email: a.Email.String(), CreatedAt: a.CreatedAt, HasPassword: a.HasPassword(),
		CodeSignIn: !a.CodeSignInOff, RecoveryEmail: a.RecoveryEmail.Masked()}
	if a.UnderAttackAt(now) {
		out.UnderAttackUntil = &a.Campaign.Until
	}
	return out
}

func (s *Server) apiVerify(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Code           *string `json:"code"`
		RememberDevice bool    `json:"remember_device"`
	}
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if err := required("code", req.Code); err != nil {
		return err
	}
	rq := s.requester(r)
	rq.Remember = req.RememberDevice
	in, err := s.engine.Verify(r.Context(), r.PathValue("flow_id"), *req.Code, rq)
	if err != nil {
		return err
	}
	s.writeSignedIn(w, in)
	return nil
}

// writeSignedIn answers a verified code or password: the session token
// in the body for API clients, and the cookies for pages.
func (s *Server) writeSignedIn(w http.ResponseWriter, in signin.SignedIn) {
	s.setSignInCookies(w, in)
	writeJSON(w, http.StatusOK, struct {
		SessionToken string      `json:"session_token"`
		ExpiresAt    time.Time   `json:"expires_at"`
		Account      accountJSON `json:"account"`
	}{in.Token, in.Session.ExpiresAt, newAccountJSON(in.Account, s.clock.Now())})
}

// required refuses a request that lacks a field. Required fields are
// pointers, so that a missing one is told apart from an empty one.
func required[T any](name string, v *T) error {
	if v == nil {
		return otpd.FieldError(name, "%s is required", name)
	}
	return nil
}

// sessionCode reads a code submitted in a signed-in session: the body's
// code and the bearer token's caller; a missing code is told before a
// missing token.
func (s *Server) sessionCode(r *http.Request) (c caller, code string, err error) {
	var req struct {
		Code *string `json:"code"`
	}
	if err := decodeJSON(r, &req); err != nil {
		return caller{}, "", err
	}
	if err := required("code", req.Code); err != nil {
		return caller{}, "", err
	}
	c, err = s.apiCaller(r)
	return c, *req.Code, err
}

// bearer returns the token of an "Authorization: Bearer" header. The API
// takes no cookie: a cookie rides along on cross-site requests, a header
// does not.
func bearer(r *http.Request) (string, error) {
	h := r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return "", otpd.Errorf(otpd.EUnauthorized, "send the session token as Authorization: Bearer TOKEN")
	}
	return strings.TrimSpace(token), nil
}

func (s *Server) apiMe(w http.ResponseWriter, r *http.Request) error {
	c, err := s.apiCaller(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newAccountJSON(c.account, s.clock.Now()))
	return nil
}

func (s *Server) apiSignOut(w http.ResponseWriter, r *http.Request) error {
	c, err := s.apiCaller(r)
	if err != nil {
		return err
	}
	if err := s.engine.SignOut(r.Context(), c.Caller, s.requester(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
