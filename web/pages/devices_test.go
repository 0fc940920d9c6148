package pages_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/otpd/otpd/web/webtest"
)

// Mallory remembers her own browser on her own account, then plants its
// device cookie in ada's browser. When ada signs in there and ticks
// "Remember this device", her account must not take mallory's device for
// hers, or ada's password alone would let mallory in.
func TestPlantedDeviceCookie(t *testing.T) {
	r := webtest.New(t)
	ada := r.Owner(t, "ada@example.com", "")
	mallory := r.Browser("")
	pageSignIn(t, r, mallory, "mallory@example.net", true)
	planted := mallory.Cookie("otpd_device")
	if planted == "" {
		t.Fatal("mallory's browser holds no device cookie")
	}

	victim := r.Browser("")
	victim.SetCookie("otpd_device", planted)
	pageSignIn(t, r, victim, "ada@example.com", true)
	mine := victim.Cookie("otpd_device")
	malloryDevice, _, _ := strings.Cut(planted, ".")
	if mine == planted {
		t.Error("ada's browser kept mallory's device cookie when she asked to remember it")
	}
	ds, err := ada.Devices(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		if d.ID == malloryDevice {
			t.Errorf("ada's devices %+v include mallory's", ds)
		}
	}

	form := url.Values{"email": {"ada@example.com"}, "password": {goodPassword}}
	resp, _ := postForm(t, mallory, "/sign-in/password", form)
	wantRedirect(t, resp, "/flows/")
	own := r.Client("")
	own.DeviceToken = mine
	if res, err := own.PasswordSignIn(ctx, "ada@example.com", goodPassword); err != nil || res.SignedIn == nil {
		t.Errorf("ada's password on her own new cookie: %+v, %v; want signed in", res, err)
	}
}
