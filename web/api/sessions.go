package api

import (
	"net/http"
	"time"

	"github.com/otpd/otpd/useragent"
	"github.com/otpd/otpd/web/edge"
)

// The owner sees every browser and app signed in to the account, and
// signs out one they do not know. That only takes access away, so it
// needs no step-up; signing out all others at once does (settings.go).

type sessionJSON struct {
	ID         string    `json:"id"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	IP         string    `json:"ip"`
	Place      string    `json:"place"`
	UserAgent  string    `json:"user_agent"`
	Device     string    `json:"device"`
	Current    bool      `json:"current"`
}

// Sessions answers GET /api/v1/me/sessions.
func (h *Handlers) Sessions(w http.ResponseWriter, r *http.Request) error {
	c, err := h.BearerCaller(r)
	if err != nil {
		return err
	}
	ss, current, err := h.Engine.Sessions(r.Context(), c)
	if err != nil {
		return err
	}
	out := make([]sessionJSON, len(ss))
	for i, x := range ss {
		out[i] = sessionJSON{ID: x.ID, CreatedAt: x.CreatedAt, LastSeenAt: x.LastSeenAt, IP: x.IP, Place: x.Place,
			UserAgent: x.UserAgent, Device: useragent.Name(x.UserAgent), Current: x.ID == current}
	}
	edge.WriteJSON(w, http.StatusOK, struct {
		Sessions []sessionJSON `json:"sessions"`
	}{out})
	return nil
}

// EndSession answers DELETE /api/v1/me/sessions/{session_id}.
func (h *Handlers) EndSession(w http.ResponseWriter, r *http.Request) error {
	c, err := h.BearerCaller(r)
	if err != nil {
		return err
	}
	if err := h.Engine.EndSession(r.Context(), c, r.PathValue("session_id"), h.Requester(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
