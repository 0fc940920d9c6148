package api_test

import (
	"context"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/client"
	"github.com/otpd/otpd/web/webtest"
)

var ctx = context.Background()

var apiError = webtest.APIError

// askFrom asks for a code for email as a client at ip, takes the email
// from the outbox, and returns the client and the flow.
//
// It moves the clock a millisecond on before, off the sign-in before it,
// and after, as waiting for the email would: the store keeps times to the
// millisecond, and a code asked for in a sign-in's own millisecond counts
// as unused news too.
func askFrom(t *testing.T, r *webtest.Rig, email, ip string) (*client.Client, client.Flow) {
	t.Helper()
	r.Clock.Advance(time.Millisecond)
	n := r.Messages(t, email)
	c := r.Client(ip)
	f, err := c.SignIn(ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	r.Mail(t, email, n)
	r.Clock.Advance(time.Millisecond)
	return c, f
}

// hasEvent reports whether c's account's activity holds an event of typ.
func hasEvent(t *testing.T, c *client.Client, typ string) bool {
	t.Helper()
	evs, err := c.Activity(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range evs {
		if e.Type == typ {
			return true
		}
	}
	return false
}

var denyLink = regexp.MustCompile(`https?://\S+/deny/[A-Za-z0-9._~%-]+`)

// undoLink is the one link of the notice to the old address after a
// change of address.
func undoLink(t *testing.T, m otpd.Email) string {
	t.Helper()
	links := denyLink.FindAllString(m.Text, -1)
	if len(links) != 1 {
		t.Fatalf("links %q in %q, want the undo link alone", links, m.Subject)
	}
	return links[0]
}

func jsonKeys(t *testing.T, body string) []string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// mustContain fails the test unless page holds every part.
func mustContain(t *testing.T, page string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(page, p) {
			t.Errorf("page lacks %q:\n%s", p, page)
		}
	}
}
