package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/otpd/otpd/web/webtest"
)

func TestSessionsOverAPI(t *testing.T) {
	r := webtest.New(t)
	laptop := r.Session(t, "ada@example.com", "198.51.100.9")
	r.Clock.Advance(time.Second) // the phone signs in after the laptop
	phone := r.Session(t, "ada@example.com", "203.0.113.5")
	ss, err := phone.Sessions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ss) != 2 || !ss[0].Current || ss[0].Place != "London, United Kingdom" || ss[1].Current ||
		ss[1].IP != "198.51.100.9" || ss[1].Device != "Go-http-client" || ss[1].CreatedAt.IsZero() || ss[1].LastSeenAt.IsZero() {
		t.Fatalf("sessions %+v, want this one from London, then the laptop's from Lagos", ss)
	}

	bob := r.Session(t, "bob@example.com", "")
	err = bob.EndSession(ctx, ss[1].ID)
	if e := apiError(t, err, http.StatusNotFound, "not_found"); e.Field != "session_id" {
		t.Errorf("another account's session: field %q", e.Field)
	}
	if _, err := laptop.Me(ctx); err != nil {
		t.Fatalf("another account ended the laptop's session: %v", err)
	}

	if err := phone.EndSession(ctx, ss[1].ID); err != nil {
		t.Fatal(err)
	}
	_, err = laptop.Me(ctx)
	apiError(t, err, http.StatusUnauthorized, "unauthorized")
	if _, err := phone.Me(ctx); err != nil {
		t.Errorf("ending the laptop's session ended this one: %v", err)
	}
	err = phone.EndSession(ctx, ss[1].ID)
	apiError(t, err, http.StatusNotFound, "not_found")
	if ss, _ := phone.Sessions(ctx); len(ss) != 1 {
		t.Errorf("sessions after ending one: %+v", ss)
	}
}
