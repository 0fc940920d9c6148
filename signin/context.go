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
	// device is the remembered device the browser's cookie names, when
	// known.
	device otpd.Device
	known  bool
}

func (w who) context() otpd.SignInContext {
	if w.known {
		return otpd.Familiar
	}
	return otpd.Unfamiliar
}

// identify places r and, for an account, looks up the device its cookie
// names. A forged cookie, or one made for another account, is simply not
// a remembered device.
func (e *Engine) identify(ctx context.Context, r Requester, accountID string) (who, error) {
	w := who{place: e.locate(r.IP)}
	id, ok := e.codes.CheckDeviceToken(r.Device, accountID)
	if !ok {
		return w, nil
	}
	d, err := e.store.Device(ctx, accountID, id)
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
