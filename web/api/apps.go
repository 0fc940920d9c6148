package api

import (
	"net/http"
	"time"

	"github.com/otpd/otpd/web/edge"
)

type appJSON struct {
	ClientID string   `json:"client_id"`
	Name     string   `json:"name"`
	Scopes   []string `json:"scopes"`
	// LogoURL is "" when the app has none.
	LogoURL   string    `json:"logo_url"`
	GrantedAt time.Time `json:"granted_at"`
	// LastUsedAt is null when the app has not used its access since.
	LastUsedAt *time.Time `json:"last_used_at"`
}

// Apps answers GET /api/v1/me/apps: the apps the account let sign it in.
func (h *Handlers) Apps(w http.ResponseWriter, r *http.Request) error {
	c, err := h.BearerCaller(r)
	if err != nil {
		return err
	}
	as, err := h.Engine.Apps(r.Context(), c)
	if err != nil {
		return err
	}
	out := make([]appJSON, len(as))
	for i, a := range as {
		out[i] = appJSON{ClientID: a.App.ID, Name: a.App.Name, Scopes: a.Grant.Scopes, LogoURL: a.App.LogoURL,
			GrantedAt: a.Grant.GrantedAt}
		if !a.Grant.LastUsedAt.IsZero() {
			out[i].LastUsedAt = &a.Grant.LastUsedAt
		}
	}
	edge.WriteJSON(w, http.StatusOK, struct {
		Apps []appJSON `json:"apps"`
	}{out})
	return nil
}

// RemoveApp answers DELETE /api/v1/me/apps/{client_id}: the app's access
// ends, and every token it holds for the account with it.
func (h *Handlers) RemoveApp(w http.ResponseWriter, r *http.Request) error {
	c, err := h.BearerCaller(r)
	if err != nil {
		return err
	}
	if err := h.Engine.RemoveApp(r.Context(), c, r.PathValue("client_id"), h.Requester(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
