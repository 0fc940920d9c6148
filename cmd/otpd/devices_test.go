package main

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/risk/geotest"
)

func TestDevicesListAndForget(t *testing.T) {
	s := startServer(t, roomyLimits)
	owner := s.owner(t, "ada@example.com", "")
	ds, err := owner.Devices(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 1 || !ds[0].Current || ds[0].Name == "" || ds[0].LastIP != "127.0.0.1" || ds[0].LastSeen.IsZero() {
		t.Fatalf("devices %+v, want the owner's, marked current", ds)
	}
	// Another session, not on that device, sees it as not its own.
	other := s.signIn(t, "ada@example.com")
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
	device := s.client()
	device.DeviceToken = owner.DeviceToken
	res, err := device.PasswordSignIn(ctx, "ada@example.com", goodPassword)
	if err != nil || res.SignedIn != nil || !slices.Equal(res.Reasons, []string{"new device"}) {
		t.Fatalf("password from a forgotten device: %+v, %v; want a code for a new device", res, err)
	}
}

func TestDeviceCookie(t *testing.T) {
	s := startServer(t, roomyLimits)
	c := s.client()
	f, err := c.SignIn(ctx, "ada@example.com")
	if err != nil {
		t.Fatal(err)
	}
	body := `{"code":"` + s.code(t, "ada@example.com", 0) + `","remember_device":true}`
	resp, raw := postJSON(t, s.url+"/api/v1/flows/"+f.FlowID+"/verify", body, nil)
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
	owner := s.owner(t, "bob@example.com", "")
	id, _, _ := strings.Cut(owner.DeviceToken, ".")
	for _, forged := range []string{id + ".AAAAAAAAAAAAAAAAAAAAAA", "garbage", strings.Repeat("x", 5000), ck.Value} {
		forger := s.client()
		forger.DeviceToken = forged
		res, err := forger.PasswordSignIn(ctx, "bob@example.com", goodPassword)
		if err != nil || res.SignedIn != nil {
			t.Errorf("cookie %.20q…: %+v, %v; want a code required", forged, res, err)
		}
	}
}

// GeoIP through the whole server: behind a trusted proxy, a right
// password on the owner's own device from Lagos, moments after a sign-in
// from London, needs a code, and says why.
func TestPasswordFromFarAwayNeedsCode(t *testing.T) {
	db := geotest.Write(t, t.TempDir(), map[string]otpd.Place{
		"203.0.113.0/24":  geotest.London,
		"198.51.100.0/24": geotest.Lagos,
	})
	s := startServer(t, withEnv(roomyLimits, "OTPD_GEOIP", db, "OTPD_TRUSTED_PROXIES", "127.0.0.1"))
	owner := s.owner(t, "ada@example.com", "203.0.113.5")
	if ds, err := owner.Devices(ctx); err != nil || len(ds) != 1 || ds[0].LastPlace != "London, United Kingdom" {
		t.Fatalf("devices %+v, %v; want one last seen in London", ds, err)
	}
	lagos := s.client()
	lagos.HTTP = &http.Client{Transport: forwardedFor{"198.51.100.7"}}
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

// deviceCookie is the otpd_device cookie a browser holds for the server.
func deviceCookie(t *testing.T, s *server, b *http.Client) string {
	t.Helper()
	u, err := url.Parse(s.url)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range b.Jar.Cookies(u) {
		if c.Name == "otpd_device" {
			return c.Value
		}
	}
	return ""
}

// Mallory remembers her own browser on her own account, then plants its
// device cookie in ada's browser. When ada signs in there and ticks
// "Remember this device", her account must not take mallory's device for
// hers, or ada's password alone would let mallory in.
func TestPlantedDeviceCookie(t *testing.T) {
	s := startServer(t, roomyLimits)
	ada := s.owner(t, "ada@example.com", "")
	mallory := browser(t)
	pageSignIn(t, s, mallory, "mallory@example.net", true)
	planted := deviceCookie(t, s, mallory)
	if planted == "" {
		t.Fatal("mallory's browser holds no device cookie")
	}

	victim := browser(t)
	u, _ := url.Parse(s.url)
	victim.Jar.SetCookies(u, []*http.Cookie{{Name: "otpd_device", Value: planted, Path: "/"}})
	pageSignIn(t, s, victim, "ada@example.com", true)
	mine := deviceCookie(t, s, victim)
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
	resp, _ := postForm(t, mallory, s.url+"/sign-in/password", form)
	wantRedirect(t, resp, "/flows/")
	own := s.client()
	own.DeviceToken = mine
	if res, err := own.PasswordSignIn(ctx, "ada@example.com", goodPassword); err != nil || res.SignedIn == nil {
		t.Errorf("ada's password on her own new cookie: %+v, %v; want signed in", res, err)
	}
}
