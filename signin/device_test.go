package signin_test

import (
	"strings"
	"testing"
	"time"

	"github.com/otpd/otpd/signin"
)

// cookieDevice is the device a device cookie names.
func cookieDevice(token string) string {
	id, _, _ := strings.Cut(token, ".")
	return id
}

func remembers(t *testing.T, r *rig, accountID, deviceID string) bool {
	t.Helper()
	ds, err := r.store.Devices(ctx, accountID)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		if d.ID == deviceID {
			return true
		}
	}
	return false
}

// mallory remembers her own browser on her own account and returns her
// device cookie, signed and valid: what she plants in ada's browser.
func (r *rig) mallory(t *testing.T, from signin.Requester) string {
	t.Helper()
	f, err := r.engine.SignIn(ctx, "mallory@example.net", from)
	if err != nil {
		t.Fatal(err)
	}
	from.Remember = true
	in, err := r.engine.Verify(ctx, f.ID, r.code(t, "mallory@example.net"), from)
	if err != nil || in.DeviceToken == "" {
		t.Fatalf("mallory remembers her browser: %q, %v", in.DeviceToken, err)
	}
	return in.DeviceToken
}

// A device cookie made for one account, planted in the browser of
// another's owner, is not reused when that owner asks to remember the
// browser: they get a device of their own, and the planted cookie stays a
// stranger to their account, so their password alone does not let its
// maker in. Remembering comes after a code sign-in or after a reset.
func TestForeignDeviceCookieIsNotReused(t *testing.T) {
	ways := map[string]func(r *rig, t *testing.T, from signin.Requester) signin.SignedIn{
		"code": func(r *rig, t *testing.T, from signin.Requester) signin.SignedIn {
			f := r.signIn(t, "ada@example.com")
			in, err := r.engine.Verify(ctx, f.ID, r.code(t, "ada@example.com"), from)
			if err != nil {
				t.Fatal(err)
			}
			return in
		},
		"reset": func(r *rig, t *testing.T, from signin.Requester) signin.SignedIn {
			f, err := r.engine.ForgotPassword(ctx, "ada@example.com", from)
			if err != nil {
				t.Fatal(err)
			}
			in, err := r.engine.ResetPassword(ctx, f.ID, r.code(t, "ada@example.com"), goodPassword, from)
			if err != nil {
				t.Fatal(err)
			}
			return in
		},
	}
	for name, remember := range ways {
		t.Run(name, func(t *testing.T) {
			r := newRig(t)
			_, owner := r.owner(t)
			// Mallory sits in the same café as ada, so that only the
			// device can tell them apart.
			malloryAt := signin.Requester{IP: "203.0.113.66", UserAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"}
			planted := r.mallory(t, malloryAt)
			r.clock.Advance(time.Hour)

			victim := who
			victim.Device, victim.Remember = planted, true
			in := remember(r, t, victim)
			if in.DeviceToken == "" {
				t.Fatal("asked to remember the browser, ada got no device cookie")
			}
			if cookieDevice(in.DeviceToken) == cookieDevice(planted) {
				t.Errorf("ada's remembered device is mallory's %q, want a new one", cookieDevice(planted))
			}
			if in.Session.DeviceID != cookieDevice(in.DeviceToken) {
				t.Errorf("session on device %q, want ada's new %q", in.Session.DeviceID, cookieDevice(in.DeviceToken))
			}
			if remembers(t, r, owner.Account.ID, cookieDevice(planted)) {
				t.Error("ada's account remembers mallory's device")
			}

			r.clock.Advance(time.Hour)
			malloryAt.Device = planted
			res, err := r.engine.PasswordSignIn(ctx, "ada@example.com", goodPassword, malloryAt)
			if err != nil {
				t.Fatal(err)
			}
			if res.SignedIn != nil || said(res.Reasons, ", ") != "new device" {
				t.Fatalf("ada's password on mallory's cookie: signed in %t, reasons %q; want a code for a new device", res.SignedIn != nil, res.Reasons)
			}
			ada := who
			ada.Device = in.DeviceToken
			if res, err := r.engine.PasswordSignIn(ctx, "ada@example.com", goodPassword, ada); err != nil || res.SignedIn == nil {
				t.Errorf("ada's password on her new cookie: %+v, %v; want signed in", res, err)
			}
		})
	}
}

// Mallory's cookie is no key to ada's account even when ada's account
// happens to remember a device of that ID: the signature binds the
// cookie to the account it was made for.
func TestDeviceCookieIsForItsAccountOnly(t *testing.T) {
	r := newRig(t)
	device, owner := r.owner(t)
	theirs := r.book.DeviceToken("another-account", cookieDevice(device.Device))
	if cookieDevice(theirs) != cookieDevice(device.Device) {
		t.Fatalf("cookie %q names another device than %q", theirs, device.Device)
	}
	r.clock.Advance(time.Hour)
	stranger := who
	stranger.Device = theirs
	res, err := r.engine.PasswordSignIn(ctx, "ada@example.com", goodPassword, stranger)
	if err != nil || res.SignedIn != nil {
		t.Fatalf("a cookie for another account with ada's device ID: signed in %t, %v; want a code", res.SignedIn != nil, err)
	}
	if !remembers(t, r, owner.Account.ID, cookieDevice(device.Device)) {
		t.Error("ada's own device was forgotten")
	}
}
