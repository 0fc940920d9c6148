package api

import (
	"net/http"
	"time"

	"github.com/otpd/otpd/web/edge"
)

type deviceJSON struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	FirstSeen time.Time `json:"first_seen"`
	LastSeen  time.Time `json:"last_seen"`
	LastIP    string    `json:"last_ip"`
	LastPlace string    `json:"last_place"`
	Current   bool      `json:"current"`
}

// Devices answers GET /api/v1/me/devices.
func (h *Handlers) Devices(w http.ResponseWriter, r *http.Request) error {
	c, err := h.BearerCaller(r)
	if err != nil {
		return err
	}
	ds, err := h.Engine.Devices(r.Context(), c)
	if err != nil {
		return err
	}
	// Current marks the device the session signed in on.
	current := c.Session().DeviceID
	out := make([]deviceJSON, len(ds))
	for i, d := range ds {
		out[i] = deviceJSON{ID: d.ID, Name: d.Name, FirstSeen: d.FirstSeen, LastSeen: d.LastSeen,
			LastIP: d.LastIP, LastPlace: d.LastPlace.String(), Current: current != "" && d.ID == current}
	}
	edge.WriteJSON(w, http.StatusOK, struct {
		Devices []deviceJSON `json:"devices"`
	}{out})
	return nil
}

// ForgetDevice answers DELETE /api/v1/me/devices/{device_id}.
func (h *Handlers) ForgetDevice(w http.ResponseWriter, r *http.Request) error {
	c, err := h.BearerCaller(r)
	if err != nil {
		return err
	}
	if err := h.Engine.ForgetDevice(r.Context(), c, r.PathValue("device_id"), h.Requester(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
