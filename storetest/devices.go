package storetest

import (
	"testing"
	"time"

	"github.com/otpd/otpd"
)

// A remembered device is what the owner sees in their list of browsers,
// and what makes a sign-in familiar.
var deviceTests = []test{
	{"RoundTrip", testDeviceRoundTrip},
	{"SeenAgain", testDeviceSeenAgain},
	{"SeenOutOfOrder", testDeviceSeenOutOfOrder},
	{"List", testDeviceList},
	{"Forget", testDeviceForget},
	{"SaveRecordsEvent", testDeviceSaveEvent},
}

// device is a browser of acct first seen at at from place. Its times are
// whole milliseconds, which every store keeps.
func device(acct otpd.Account, at time.Time, place otpd.Place) otpd.Device {
	return otpd.Device{
		ID: newID("device"), AccountID: acct.ID, Name: "Firefox on Linux",
		FirstSeen: at, LastSeen: at, LastIP: "203.0.113.7", LastPlace: place,
	}
}

func saveDevice(t *testing.T, s otpd.Store, d otpd.Device, ev *otpd.Event) {
	t.Helper()
	if err := s.SaveDevice(t.Context(), d, ev); err != nil {
		t.Fatalf("SaveDevice(%s): %v", d.ID, err)
	}
}

func wantDevice(t *testing.T, got, want otpd.Device) {
	t.Helper()
	if got.ID != want.ID || got.AccountID != want.AccountID || got.Name != want.Name ||
		!got.FirstSeen.Equal(want.FirstSeen) || !got.LastSeen.Equal(want.LastSeen) || got.LastIP != want.LastIP {
		t.Errorf("device\n got %+v\nwant %+v", got, want)
	}
	// %#v, because a Place prints as its name, without its coordinates.
	if got.LastPlace != want.LastPlace {
		t.Errorf("device %s last seen at %#v, want %#v", want.ID, got.LastPlace, want.LastPlace)
	}
}

func storedDevice(t *testing.T, s otpd.Store, d otpd.Device) otpd.Device {
	t.Helper()
	got, err := s.Device(t.Context(), d.AccountID, d.ID)
	if err != nil {
		t.Fatalf("Device(%s): %v", d.ID, err)
	}
	return got
}

// Every field reads back as saved, the place's coordinates included, and
// coordinates of 0,0 stay a real place rather than none.
func testDeviceRoundTrip(t *testing.T, s otpd.Store) {
	acct, _ := signUp(t, s, "cleo@example.com", t0)
	for _, place := range []otpd.Place{lagos, accra, {HasCoords: true}, {}} {
		d := device(acct, t0.Add(1234*time.Millisecond), place)
		saveDevice(t, s, d, nil)
		wantDevice(t, storedDevice(t, s, d), d)
	}
	_, err := s.Device(t.Context(), acct.ID, "no-such-device")
	wantNotFound(t, err, "an unknown device")
}

// Seeing a device again moves when and where it was last seen; its name
// and first sighting stay as first saved.
func testDeviceSeenAgain(t *testing.T, s otpd.Store) {
	acct, _ := signUp(t, s, "dario@example.com", t0)
	first := device(acct, t0.Add(time.Minute), lagos)
	saveDevice(t, s, first, nil)
	again := first
	again.Name, again.FirstSeen = "Chrome on Windows", t0.Add(time.Hour)
	again.LastSeen, again.LastIP, again.LastPlace = t0.Add(time.Hour+1500*time.Millisecond), "198.51.100.44", accra
	saveDevice(t, s, again, nil)
	want := again
	want.Name, want.FirstSeen = first.Name, first.FirstSeen
	wantDevice(t, storedDevice(t, s, first), want)
	if ds, err := s.Devices(t.Context(), acct.ID); err != nil || len(ds) != 1 {
		t.Errorf("Devices after seeing one device twice: %d devices, %v; want 1", len(ds), err)
	}
}

// Of two requests from one device, the slower may save last: what the
// owner sees stays the latest sighting, as a session's last-seen time does.
func testDeviceSeenOutOfOrder(t *testing.T, s otpd.Store) {
	acct, _ := signUp(t, s, "dina@example.com", t0)
	d := device(acct, t0.Add(time.Minute), lagos)
	saveDevice(t, s, d, nil)
	later := d
	later.LastSeen, later.LastIP, later.LastPlace = t0.Add(time.Hour), "198.51.100.44", accra
	saveDevice(t, s, later, nil)
	slower := d
	slower.LastSeen, slower.LastIP = t0.Add(30*time.Minute), "198.51.100.45"
	saveDevice(t, s, slower, nil)
	wantDevice(t, storedDevice(t, s, d), later)
}

// The list shows the account's own devices, the last seen first.
func testDeviceList(t *testing.T, s otpd.Store) {
	acct, _ := signUp(t, s, "elif@example.com", t0)
	other, _ := signUp(t, s, "femi@example.com", t0)
	a := device(acct, t0.Add(time.Minute), lagos)
	b := device(acct, t0.Add(3*time.Minute), accra)
	c := device(acct, t0.Add(2*time.Minute), otpd.Place{})
	theirs := device(other, t0.Add(5*time.Minute), lagos)
	for _, d := range []otpd.Device{a, b, c, theirs} {
		saveDevice(t, s, d, nil)
	}
	ds, err := s.Devices(t.Context(), acct.ID)
	if err != nil {
		t.Fatalf("Devices: %v", err)
	}
	want := []otpd.Device{b, c, a}
	if len(ds) != len(want) {
		t.Fatalf("%d devices, want %d", len(ds), len(want))
	}
	for i := range want {
		wantDevice(t, ds[i], want[i])
	}
	_, err = s.Device(t.Context(), acct.ID, theirs.ID)
	wantNotFound(t, err, "another account's device")
	if ds, err := s.Devices(t.Context(), "no-such-account"); err != nil || len(ds) != 0 {
		t.Errorf("Devices of an unknown account: %v, %v; want none", ds, err)
	}
}

// A forgotten device is gone, and the owner's record says so; forgetting
// it again, or from another account, changes nothing.
func testDeviceForget(t *testing.T, s otpd.Store) {
	acct, _ := signUp(t, s, "gael@example.com", t0)
	other, _ := signUp(t, s, "hana@example.com", t0)
	d := device(acct, t0.Add(time.Minute), lagos)
	kept := device(acct, t0.Add(2*time.Minute), lagos)
	saveDevice(t, s, d, nil)
	saveDevice(t, s, kept, nil)
	wantNotFound(t, s.ForgetDevice(t.Context(), other.ID, d.ID, accountEvent(other, otpd.EventDeviceForgotten, t0.Add(time.Hour))),
		"ForgetDevice of another account's device")
	storedDevice(t, s, d)

	ev := accountEvent(acct, otpd.EventDeviceForgotten, t0.Add(time.Hour))
	if err := s.ForgetDevice(t.Context(), acct.ID, d.ID, ev); err != nil {
		t.Fatalf("ForgetDevice: %v", err)
	}
	_, err := s.Device(t.Context(), acct.ID, d.ID)
	wantNotFound(t, err, "a forgotten device")
	if ds, err := s.Devices(t.Context(), acct.ID); err != nil || len(ds) != 1 || ds[0].ID != kept.ID {
		t.Errorf("Devices after forgetting one: %v, %v; want only %s", ds, err, kept.ID)
	}
	if e := findEvent(t, s, acct.ID, ev.ID); e.Type != otpd.EventDeviceForgotten || e.Place != ev.Place {
		t.Errorf("event %+v, want %+v", e, ev)
	}

	again := accountEvent(acct, otpd.EventDeviceForgotten, t0.Add(2*time.Hour))
	wantNotFound(t, s.ForgetDevice(t.Context(), acct.ID, d.ID, again), "ForgetDevice twice")
	if n := countEvents(t, s, acct.ID, otpd.EventDeviceForgotten); n != 1 {
		t.Errorf("%d %s events, want 1", n, otpd.EventDeviceForgotten)
	}
	if n := countEvents(t, s, other.ID, otpd.EventDeviceForgotten); n != 0 {
		t.Errorf("%d %s events on the account that failed to forget, want none", n, otpd.EventDeviceForgotten)
	}
}

func testDeviceSaveEvent(t *testing.T, s otpd.Store) {
	acct, _ := signUp(t, s, "ivo@example.com", t0)
	d := device(acct, t0.Add(time.Minute), lagos)
	ev := accountEvent(acct, otpd.EventDeviceRemembered, d.FirstSeen)
	saveDevice(t, s, d, &ev)
	if e := findEvent(t, s, acct.ID, ev.ID); e.Type != otpd.EventDeviceRemembered || e.Place != ev.Place {
		t.Errorf("event %+v, want %+v", e, ev)
	}
	d.LastSeen = t0.Add(time.Hour)
	saveDevice(t, s, d, nil)
	if n := countEvents(t, s, acct.ID, otpd.EventDeviceRemembered); n != 1 {
		t.Errorf("%d %s events, want only the first save's", n, otpd.EventDeviceRemembered)
	}
}
