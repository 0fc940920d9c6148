package main

import (
	"net/http"
	"runtime"
	"testing"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/client"
	"github.com/otpd/otpd/risk/geotest"
)

// geoServer starts a server behind a proxy on loopback, with a GeoIP
// database that puts 203.0.113.0/24 in London and 198.51.100.0/24 in
// Lagos.
func geoServer(t *testing.T) *server {
	t.Helper()
	db := geotest.Write(t, t.TempDir(), map[string]otpd.Place{
		"203.0.113.0/24":  geotest.London,
		"198.51.100.0/24": geotest.Lagos,
	})
	return startServer(t, withEnv(roomyLimits, "OTPD_GEOIP", db, "OTPD_TRUSTED_PROXIES", "127.0.0.1"))
}

// clientAt is a client behind the test's proxy, which says it is at ip.
func (s *server) clientAt(ip string) *client.Client {
	c := s.client()
	c.HTTP = &http.Client{Transport: forwardedFor{ip}}
	return c
}

// askFrom asks for a code for email as a client at ip, waits for the
// email, and returns the client and the flow. Waiting keeps the code
// from arriving while the test reads the owner's next one.
//
// It first lets the clock leave the millisecond of the sign-in before:
// the store keeps times to the millisecond, and a code asked for in the
// sign-in's own millisecond counts as unused news too.
func (s *server) askFrom(t *testing.T, email, ip string) (*client.Client, client.Flow) {
	t.Helper()
	for next := time.Now().Truncate(time.Millisecond).Add(time.Millisecond); time.Now().Before(next); {
		runtime.Gosched()
	}
	n := s.messages(t, email)
	c := s.clientAt(ip)
	f, err := c.SignIn(ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	s.mail(t, email, n)
	return c, f
}

// currentSession is the ID of the session c signed in with.
func currentSession(t *testing.T, c *client.Client) string {
	t.Helper()
	ss, err := c.Sessions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range ss {
		if x.Current {
			return x.ID
		}
	}
	t.Fatalf("no current session among %+v", ss)
	return ""
}

func TestActivityKinds(t *testing.T) {
	s := geoServer(t)
	owner := s.owner(t, "ada@example.com", "203.0.113.5")
	for kind, want := range map[string]string{
		client.KindCodes:   "code_requested",
		client.KindSignIns: "session_started",
		client.KindChanges: "password_set",
		client.KindDevices: "device_remembered",
	} {
		evs, err := owner.ActivityOfKind(ctx, kind)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, ev := range evs {
			found = found || ev.Type == want
			if ev.Kind != kind {
				t.Errorf("kind=%s answered a %s event of kind %s", kind, ev.Type, ev.Kind)
			}
			if ev.Type == "code_requested" && ev.FlowID == "" {
				t.Errorf("a code request without its flow_id: %+v", ev)
			}
		}
		if !found {
			t.Errorf("kind=%s lacks a %s event: %+v", kind, want, evs)
		}
	}
	if evs, err := owner.ActivityOfKind(ctx, client.KindReports); err != nil || len(evs) != 0 {
		t.Errorf("reports before any: %+v, %v", evs, err)
	}
	_, err := owner.ActivityOfKind(ctx, "logins")
	if e := apiError(t, err, http.StatusBadRequest, "invalid_request"); e.Field != "kind" {
		t.Errorf("unknown kind: field %q, want kind", e.Field)
	}
}

// A code someone in Lagos asked for and never used is news at the
// owner's next sign-in; "This wasn't me" from the activity cancels it.
func TestUnusedCodesAndReportOverAPI(t *testing.T) {
	s := geoServer(t)
	const email = "ada@example.com"
	first := s.signInAs(t, email, "203.0.113.5")
	if codes, err := first.UnusedCodes(ctx); err != nil || len(codes) != 0 {
		t.Fatalf("unused codes of a new account: %+v, %v", codes, err)
	}
	_, flow := s.askFrom(t, email, "198.51.100.9")
	owner := s.signInAs(t, email, "203.0.113.5")
	codes, err := owner.UnusedCodes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(codes) != 1 || codes[0].Place != "Lagos, Nigeria" || codes[0].IP != "198.51.100.9" ||
		codes[0].Status != "pending" || codes[0].Purpose != "sign_in" {
		t.Fatalf("unused codes %+v, want the pending one from Lagos", codes)
	}

	r, err := owner.ReportFlow(ctx, flow.FlowID)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != "denied" || r.IP != "198.51.100.9" || r.FlowID != flow.FlowID || r.Purpose != "sign_in" {
		t.Errorf("report %+v, want the code from Lagos, denied", r)
	}
	evs, err := owner.ActivityOfKind(ctx, client.KindReports)
	if err != nil || len(evs) != 1 || evs[0].Type != "code_denied" || evs[0].FlowID != flow.FlowID {
		t.Errorf("reports %+v, %v; want the one just made", evs, err)
	}
	codes, _ = owner.UnusedCodes(ctx)
	if len(codes) != 1 || codes[0].Status != "denied" {
		t.Errorf("after the report, unused codes %+v", codes)
	}
	if cs, err := owner.Campaigns(ctx); err != nil || cs == nil || len(cs) != 0 {
		t.Errorf("campaigns %#v, %v; want an empty list", cs, err)
	}

	bob := s.signIn(t, "bob@example.com")
	_, err = bob.ReportFlow(ctx, flow.FlowID)
	if e := apiError(t, err, http.StatusNotFound, "not_found"); e.Field != "flow_id" {
		t.Errorf("another account's flow: field %q", e.Field)
	}
}

func TestSessionsOverAPI(t *testing.T) {
	s := geoServer(t)
	laptop := s.signInAs(t, "ada@example.com", "198.51.100.9")
	phone := s.signInAs(t, "ada@example.com", "203.0.113.5")
	ss, err := phone.Sessions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ss) != 2 || !ss[0].Current || ss[0].Place != "London, United Kingdom" || ss[1].Current ||
		ss[1].IP != "198.51.100.9" || ss[1].Device != "Go-http-client" || ss[1].CreatedAt.IsZero() || ss[1].LastSeenAt.IsZero() {
		t.Fatalf("sessions %+v, want this one from London, then the laptop's from Lagos", ss)
	}

	bob := s.signIn(t, "bob@example.com")
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
