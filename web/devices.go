package web

import (
	"net/http"
	"time"

	"github.com/otpd/otpd"
)

// deviceView is a remembered device as the home page lists it. Current
// marks the device the session signed in on, so that a person does not
// forget the one in their hand by mistake.
type deviceView struct {
	otpd.Device
	Current bool
}

func deviceViews(ds []otpd.Device, current string) []deviceView {
	out := make([]deviceView, len(ds))
	for i, d := range ds {
		out[i] = deviceView{Device: d, Current: current != "" && d.ID == current}
	}
	return out
}

type deviceJSON struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	FirstSeen time.Time `json:"first_seen"`
	LastSeen  time.Time `json:"last_seen"`
	LastIP    string    `json:"last_ip"`
	LastPlace string    `json:"last_place"`
	Current   bool      `json:"current"`
}

func (s *Server) apiDevices(w http.ResponseWriter, r *http.Request) error {
	c, err := s.apiCaller(r)
	if err != nil {
		return err
	}
	ds, err := s.engine.Devices(r.Context(), c.Caller)
	if err != nil {
		return err
	}
	out := make([]deviceJSON, len(ds))
	for i, d := range deviceViews(ds, c.session.DeviceID) {
		out[i] = deviceJSON{ID: d.ID, Name: d.Name, FirstSeen: d.FirstSeen, LastSeen: d.LastSeen,
			LastIP: d.LastIP, LastPlace: d.LastPlace.String(), Current: d.Current}
	}
	writeJSON(w, http.StatusOK, struct {
		Devices []deviceJSON `json:"devices"`
	}{out})
	return nil
}

func (s *Server) apiForgetDevice(w http.ResponseWriter, r *http.Request) error {
	c, err := s.apiCaller(r)
	if err != nil {
		return err
	}
	if err := s.engine.ForgetDevice(r.Context(), c.Caller, r.PathValue("device_id"), s.requester(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) pageForgetDevice(w http.ResponseWriter, r *http.Request) {
	c, ok := s.pageCaller(w, r)
	if !ok {
		return
	}
	if err := s.engine.ForgetDevice(r.Context(), c.Caller, r.PathValue("device_id"), s.requester(r)); err != nil {
		s.renderError(w, r, "error.html", s.newPage("The device was not forgotten"), err)
		return
	}
	http.Redirect(w, r, "/?done=device-forgotten", http.StatusSeeOther)
}
