package storetest

import (
	"bytes"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/otpd/otpd"
)

// Apps are the OpenID Connect apps added with the command line.
var appTests = []test{
	{"RoundTrip", testAppRoundTrip},
	{"IDTaken", testAppIDTaken},
	{"Secret", testAppSecret},
	{"Remove", testAppRemove},
}

// newApp is a confidential app with one redirect URI, created at t0.
func newApp(public bool) otpd.App {
	app := otpd.App{
		ID: newID("app"), Name: "Example App", Public: public,
		RedirectURIs:   []string{"https://app.example/callback", "http://127.0.0.1:8080/cb"},
		PostLogoutURIs: []string{"https://app.example/bye"},
		Scopes:         []string{"openid", "email", "offline_access"},
		LogoURL:        "https://app.example/logo.png", CreatedAt: t0,
	}
	if !public {
		app.SecretHash = tokenHash("secret of " + app.ID)
	}
	return app
}

func saveApp(t *testing.T, s otpd.Store, app otpd.App) {
	t.Helper()
	if err := s.SaveApp(t.Context(), app); err != nil {
		t.Fatalf("SaveApp(%s): %v", app.ID, err)
	}
}

func storedApp(t *testing.T, s otpd.Store, id string) otpd.App {
	t.Helper()
	app, err := s.App(t.Context(), id)
	if err != nil {
		t.Fatalf("App(%s): %v", id, err)
	}
	return app
}

func testAppRoundTrip(t *testing.T, s otpd.Store) {
	for _, public := range []bool{false, true} {
		app := newApp(public)
		saveApp(t, s, app)
		if got := storedApp(t, s, app.ID); !reflect.DeepEqual(got, app) {
			t.Errorf("app\n got %+v\nwant %+v", got, app)
		}
	}
	apps, err := s.Apps(t.Context())
	if err != nil || len(apps) != 2 || apps[0].ID > apps[1].ID {
		t.Errorf("Apps = %d apps, %v; want 2 by ID", len(apps), err)
	}
	_, err = s.App(t.Context(), "no-such-app")
	wantNotFound(t, err, "an unknown app")
}

// Of many adding one ID at once, one adds it.
func testAppIDTaken(t *testing.T, s otpd.Store) {
	app := newApp(false)
	const n = 10
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			a := app
			a.Name = "racer"
			errs[i] = s.SaveApp(t.Context(), a)
		})
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, otpd.ErrAppExists):
			t.Errorf("SaveApp: %v, want ErrAppExists", err)
		}
	}
	if won != 1 {
		t.Errorf("%d saves of one ID won, want 1", won)
	}
}

// A confidential app's secret can be replaced; a public app has none.
func testAppSecret(t *testing.T, s otpd.Store) {
	app := newApp(false)
	saveApp(t, s, app)
	next := tokenHash("next secret")
	if err := s.SetAppSecret(t.Context(), app.ID, next); err != nil {
		t.Fatal(err)
	}
	if got := storedApp(t, s, app.ID); !bytes.Equal(got.SecretHash, next) {
		t.Errorf("secret hash %x, want %x", got.SecretHash, next)
	}
	pub := newApp(true)
	saveApp(t, s, pub)
	wantNotFound(t, s.SetAppSecret(t.Context(), pub.ID, next), "a public app's secret")
	if got := storedApp(t, s, pub.ID); got.SecretHash != nil {
		t.Errorf("a public app got a secret: %x", got.SecretHash)
	}
	wantNotFound(t, s.SetAppSecret(t.Context(), "no-such-app", next), "an unknown app's secret")
}

// Removing an app removes it; removing it again finds nothing.
func testAppRemove(t *testing.T, s otpd.Store) {
	app := newApp(false)
	saveApp(t, s, app)
	if err := s.RemoveApp(t.Context(), app.ID, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	_, err := s.App(t.Context(), app.ID)
	wantNotFound(t, err, "a removed app")
	wantNotFound(t, s.RemoveApp(t.Context(), app.ID, t0.Add(time.Hour)), "removing it again")
}
