package api

import (
	"net/http"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/signin"
	"github.com/otpd/otpd/web/edge"
)

// The methods an account adds beside its address's codes and its
// password: an authenticator app and recovery codes. Adding and removing
// them takes a step-up; their codes stand in for the emailed code after a
// password and for a step-up's.

type methodJSON struct {
	Kind       otpd.MethodKind `json:"kind"`
	AddedAt    time.Time       `json:"added_at"`
	LastUsedAt *time.Time      `json:"last_used_at,omitempty"`
	CodesLeft  *int            `json:"codes_left,omitempty"`
}

func newMethodJSON(m otpd.Method) methodJSON {
	j := methodJSON{Kind: m.Kind, AddedAt: m.CreatedAt}
	if !m.LastUsedAt.IsZero() {
		j.LastUsedAt = &m.LastUsedAt
	}
	if m.Kind == otpd.MethodRecoveryCodes {
		j.CodesLeft = &m.CodesLeft
	}
	return j
}

// Methods answers GET /api/v1/me/methods.
func (h *Handlers) Methods(w http.ResponseWriter, r *http.Request) error {
	c, err := h.BearerCaller(r)
	if err != nil {
		return err
	}
	ms, err := h.Engine.Methods(r.Context(), c)
	if err != nil {
		return err
	}
	out := make([]methodJSON, len(ms))
	for i, m := range ms {
		out[i] = newMethodJSON(m)
	}
	edge.WriteJSON(w, http.StatusOK, struct {
		Methods []methodJSON `json:"methods"`
	}{out})
	return nil
}

// NewRecoveryCodes answers POST /api/v1/me/methods/recovery-codes.
func (h *Handlers) NewRecoveryCodes(w http.ResponseWriter, r *http.Request) error {
	c, err := h.BearerCaller(r)
	if err != nil {
		return err
	}
	codes, err := h.Engine.NewRecoveryCodes(r.Context(), c, h.Requester(r))
	if err != nil {
		return err
	}
	edge.WriteJSON(w, http.StatusCreated, struct {
		Codes []string `json:"codes"`
	}{codes})
	return nil
}

// RemoveMethod answers DELETE /api/v1/me/methods/totp and
// /api/v1/me/methods/recovery-codes, for the method k.
func (h *Handlers) RemoveMethod(k otpd.MethodKind) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		c, err := h.BearerCaller(r)
		if err != nil {
			return err
		}
		if err := h.Engine.RemoveMethod(r.Context(), c, k, h.Requester(r)); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}

// StartTOTP answers POST /api/v1/me/methods/totp.
func (h *Handlers) StartTOTP(w http.ResponseWriter, r *http.Request) error {
	c, err := h.BearerCaller(r)
	if err != nil {
		return err
	}
	en, err := h.Engine.StartTOTP(r.Context(), c)
	if err != nil {
		return err
	}
	edge.WriteJSON(w, http.StatusOK, struct {
		Secret     string    `json:"secret"`
		OTPAuthURL string    `json:"otpauth_url"`
		Enrolment  string    `json:"enrolment"`
		ExpiresAt  time.Time `json:"expires_at"`
	}{en.Secret, en.URL, en.Token, en.ExpiresAt})
	return nil
}

// ConfirmTOTP answers POST /api/v1/me/methods/totp/confirm.
func (h *Handlers) ConfirmTOTP(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Enrolment *string `json:"enrolment"`
		Code      *string `json:"code"`
	}
	if err := edge.DecodeJSON(r, &req); err != nil {
		return err
	}
	if err := edge.Required("enrolment", req.Enrolment); err != nil {
		return err
	}
	if err := edge.Required("code", req.Code); err != nil {
		return err
	}
	c, err := h.BearerCaller(r)
	if err != nil {
		return err
	}
	if err := h.Engine.ConfirmTOTP(r.Context(), c, *req.Enrolment, *req.Code, h.Requester(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// factorBody reads a submitted factor: its method and code.
func factorBody(r *http.Request, remember *bool) (signin.Factor, error) {
	var req struct {
		Method         *string `json:"method"`
		Code           *string `json:"code"`
		RememberDevice bool    `json:"remember_device"`
	}
	if err := edge.DecodeJSON(r, &req); err != nil {
		return signin.Factor{}, err
	}
	if err := edge.Required("method", req.Method); err != nil {
		return signin.Factor{}, err
	}
	if err := edge.Required("code", req.Code); err != nil {
		return signin.Factor{}, err
	}
	if remember != nil {
		*remember = req.RememberDevice
	}
	return signin.Factor{Kind: otpd.MethodKind(*req.Method), Code: *req.Code}, nil
}

// VerifyFactor answers POST /api/v1/flows/{flow_id}/factor.
func (h *Handlers) VerifyFactor(w http.ResponseWriter, r *http.Request) error {
	rq := h.Requester(r)
	f, err := factorBody(r, &rq.Remember)
	if err != nil {
		return err
	}
	in, err := h.Engine.VerifyFactor(r.Context(), r.PathValue("flow_id"), f, rq)
	if err != nil {
		return err
	}
	h.writeSignedIn(w, in)
	return nil
}

// StepUpFactor answers POST /api/v1/me/step-up/factor.
func (h *Handlers) StepUpFactor(w http.ResponseWriter, r *http.Request) error {
	f, err := factorBody(r, nil)
	if err != nil {
		return err
	}
	c, err := h.BearerCaller(r)
	if err != nil {
		return err
	}
	sess, err := h.Engine.StepUpWith(r.Context(), c, f, h.Requester(r))
	if err != nil {
		return err
	}
	edge.WriteJSON(w, http.StatusOK, struct {
		SteppedUpAt time.Time `json:"stepped_up_at"`
		ValidUntil  time.Time `json:"valid_until"`
	}{sess.SteppedUpAt, sess.SteppedUpAt.Add(h.Engine.Policy().StepUpFor)})
	return nil
}
