package pages

import (
	"net/http"

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

// ForgetDevice forgets a remembered device of the account.
func (p *Pages) ForgetDevice(w http.ResponseWriter, r *http.Request) {
	c, ok := p.pageCaller(w, r)
	if !ok {
		return
	}
	if err := p.Engine.ForgetDevice(r.Context(), c, r.PathValue("device_id"), p.Requester(r)); err != nil {
		p.showError(w, r, "title.device_not_forgotten", err)
		return
	}
	http.Redirect(w, r, "/?done=device-forgotten", http.StatusSeeOther)
}
