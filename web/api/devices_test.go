package api_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/otpd/otpd/web/webtest"
)

func TestDevicesListAndForget(t *testing.T) {
	r := webtest.New(t)
	owner := r.Owner(t, "ada@example.com", "")
	ds, err := owner.Devices(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 1 || !ds[0].Current || ds[0].Name == "" || ds[0].LastIP != "127.0.0.1" || ds[0].LastSeen.IsZero() {
		t.Fatalf("devices %+v, want the owner's, marked current", ds)
	}
	// Another session, not on that device, sees it as not its own.
	other := r.Session(t, "ada@example.com", "")
	if ds, err := other.Devices(ctx); err != nil || len(ds) != 1 || ds[0].Current {
		t.Fatalf("devices from another session %+v, %v", ds, err)
	}

	err = other.ForgetDevice(ctx, "nosuchdevice")
	if e := apiError(t, err, http.StatusNotFound, "not_found"); e.Field != "device_id" {
		t.Errorf("unknown device: field %q, want device_id", e.Field)
	}
	if err := other.ForgetDevice(ctx, ds[0].ID); err != nil {
		t.Fatal(err)
	}
	if ds, err := owner.Devices(ctx); err != nil || len(ds) != 0 {
		t.Fatalf("devices after forgetting %+v, %v", ds, err)
	}
	// The cookie still names the device, but the account no longer
	// remembers it: the password alone is not enough any more.
	device := r.Client("")
	device.DeviceToken = owner.DeviceToken
	res, err := device.PasswordSignIn(ctx, "ada@example.com", goodPassword)
	if err != nil || res.SignedIn != nil || !slices.Equal(res.Reasons, []string{"new device"}) {
		t.Fatalf("password from a forgotten device: %+v, %v; want a code for a new device", res, err)
	}
}

func TestDeviceCookie(t *testing.T) {
	r := webtest.New(t)
	c := r.Client("")
	f, err := c.SignIn(ctx, "ada@example.com")
	if err != nil {
		t.Fatal(err)
	}
	body := `{"code":"` + r.CodeAfter(t, "ada@example.com", 0) + `","remember_device":true}`
	resp, raw := webtest.PostJSON(t, r.URL+"/api/v1/flows/"+f.FlowID+"/verify", body, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("verify: %d %s", resp.StatusCode, raw)
	}
	var ck *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "otpd_device" {
			ck = c
		}
	}
	if ck == nil {
		t.Fatalf("no otpd_device cookie in %v", resp.Cookies())
	}
	if !ck.HttpOnly || !ck.Secure || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" || ck.MaxAge != 400*24*60*60 {
		t.Errorf("device cookie %+v: want HttpOnly, Secure, SameSite=Lax, Path=/, 400 days", ck)
	}

	// A forged cookie names no device; neither does one signed for a
	// device the account does not remember.
	owner := r.Owner(t, "bob@example.com", "")
	id, _, _ := strings.Cut(owner.DeviceToken, ".")
	for _, forged := range []string{id + ".AAAAAAAAAAAAAAAAAAAAAA", "garbage", strings.Repeat("x", 5000), ck.Value} {
		forger := r.Client("")
		forger.DeviceToken = forged
		res, err := forger.PasswordSignIn(ctx, "bob@example.com", goodPassword)
		if err != nil || res.SignedIn != nil {
			t.Errorf("cookie %.20q…: %+v, %v; want a code required", forged, res, err)
		}
	}
}

// GeoIP through the web: behind a trusted proxy, a right
// password on the owner's own device from Lagos, moments after a sign-in
// from London, needs a code, and says why.
func TestPasswordFromFarAwayNeedsCode(t *testing.T) {
	r := webtest.New(t) // 203.0.113.0/24 is in London, 198.51.100.0/24 in Lagos
	owner := r.Owner(t, "ada@example.com", "203.0.113.5")
	if ds, err := owner.Devices(ctx); err != nil || len(ds) != 1 || ds[0].LastPlace != "London, United Kingdom" {
		t.Fatalf("devices %+v, %v; want one last seen in London", ds, err)
	}
	lagos := r.Client("198.51.100.7")
	lagos.DeviceToken = owner.DeviceToken
	res, err := lagos.PasswordSignIn(ctx, "ada@example.com", goodPassword)
	if err != nil || res.SignedIn != nil {
		t.Fatalf("password from Lagos: %+v, %v; want a code required", res, err)
	}
	got := strings.Join(res.Reasons, "; ")
	if !strings.Contains(got, "new country: NG") || !strings.Contains(got, "impossible travel: ") || strings.Contains(got, "new device") {
		t.Errorf("reasons %q, want new country: NG and impossible travel, on a known device", got)
	}
	evs, err := owner.Activity(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if evs[0].Type != "code_requested" || evs[0].Place != "Lagos, Nigeria" {
		t.Errorf("newest event %+v, want the code request from Lagos", evs[0])
	}
	if evs[1].Type != "password_verified" || !strings.Contains(evs[1].Detail, "A code was needed as well: new country: NG") {
		t.Errorf("event before it %+v, want the right password from Lagos with its reasons", evs[1])
	}
}
