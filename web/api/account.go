package api

import (
	"net/http"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/web/edge"
)

type accountJSON struct {
	ID          string    `json:"id"`
	Email       string    `json:"email"`
	CreatedAt   time.Time `json:"created_at"`
	HasPassword bool      `json:"has_password"`
	CodeSignIn  bool      `json:"code_sign_in"`
	// Language is the tag the owner chose for pages and emails; "" when
	// pages follow the browser and emails the server's default.
	Language string `json:"language"`
	// RecoveryEmail is masked even for the owner: an app may show it on
	// a screen someone else can see, and the owner knows it anyway.
	RecoveryEmail    string     `json:"recovery_email,omitempty"`
	UnderAttackUntil *time.Time `json:"under_attack_until,omitempty"`
}

// newAccountJSON describes a as it is at now, which tells whether a
// campaign against it is still on.
func newAccountJSON(a otpd.Account, now time.Time) accountJSON {
	out := accountJSON{ID: a.ID, Email: a.Email.String(), CreatedAt: a.CreatedAt, HasPassword: a.HasPassword(),
		CodeSignIn: !a.CodeSignInOff, Language: a.Language, RecoveryEmail: a.RecoveryEmail.Masked()}
	if a.UnderAttackAt(now) {
		out.UnderAttackUntil = &a.Campaign.Until
	}
	return out
}

// Me describes the caller's account: GET /api/v1/me.
func (h *Handlers) Me(w http.ResponseWriter, r *http.Request) error {
	c, err := h.BearerCaller(r)
	if err != nil {
		return err
	}
	edge.WriteJSON(w, http.StatusOK, newAccountJSON(c.Account(), h.Clock.Now()))
	return nil
}

// SignOut ends the caller's session: POST /api/v1/sign-out.
func (h *Handlers) SignOut(w http.ResponseWriter, r *http.Request) error {
	c, err := h.BearerCaller(r)
	if err != nil {
		return err
	}
	if err := h.Engine.SignOut(r.Context(), c, h.Requester(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
