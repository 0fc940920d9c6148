package signin

import (
	"context"
	"errors"
	"net/netip"

	"github.com/otpd/otpd"
)

// who is what the engine knows of a requester for one account: where it
// is, and whether its browser is one the account remembers.
type who struct {
	place otpd.Place
	// deviceID is the device its cookie names, remembered or not; "" when
	// it has no valid cookie.
	deviceID string
	device   otpd.Device
	known    bool
}

func (w who) context() otpd.SignInContext {
	if w.known {
		return otpd.Familiar
	}
	return otpd.Unfamiliar
}

// identify places r and looks up the device its cookie names among the
// account's. A forged or foreign cookie is simply not a remembered device.
// For an address without an account (accountID "") the look-up is made
// all the same, and finds nothing, so that a request's work does not tell
// whether the address has an account (invariant 6).
func (e *Engine) identify(ctx context.Context, r Requester, accountID string) (who, error) {
	w := who{place: e.locate(r.IP)}
	if id, ok := e.codes.CheckDeviceToken(r.Device); ok {
		w.deviceID = id
	}
	if w.deviceID == "" {
		return w, nil
	}
	d, err := e.store.Device(ctx, accountID, w.deviceID)
	switch {
	case errors.Is(err, otpd.ErrNotFound):
		return w, nil
	case err != nil:
		return who{}, internal("find device", err)
	}
	w.device, w.known = d, true
	return w, nil
}

func (e *Engine) locate(ip string) otpd.Place {
	a, err := netip.ParseAddr(ip)
	if err != nil || e.locator == nil {
		return otpd.Place{}
	}
	return e.locator.Locate(a.Unmap())
}

// guess is the failure budget of a context.
func (e *Engine) guess(c otpd.SignInContext) otpd.GuessLimits {
	if c == otpd.Familiar {
		return e.policy.GuessFamiliar
	}
	return e.policy.Guess
}
