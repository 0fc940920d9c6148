package webtest

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/otpd/otpd/client"
)

// Password is one the password policy takes; Owner sets it.
const Password = "a long passphrase nobody guesses"

// Client is an API client of the rig at ip, as the rig's proxy names it
// in X-Forwarded-For; at "" it is the proxy's own loopback address.
func (r *Rig) Client(ip string) *client.Client {
	c := client.New(r.URL)
	if ip != "" {
		c.HTTP = &http.Client{Transport: forwardedFor{ip}}
	}
	return c
}

// Session signs email in with a code over the API, as a client at ip,
// and returns the client holding the session token.
func (r *Rig) Session(t *testing.T, email, ip string) *client.Client {
	t.Helper()
	c := r.Client(ip)
	n := r.Messages(t, email)
	f, err := c.SignIn(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	in, err := c.Verify(context.Background(), f.FlowID, r.CodeAfter(t, email, n))
	if err != nil {
		t.Fatal(err)
	}
	c.Token = in.SessionToken
	return c
}

// Owner signs email up from a device it asks the server to remember, as a
// client at ip, and sets Password after a step-up. The client it returns
// holds the session token and the device cookie; the password's notice
// has arrived.
func (r *Rig) Owner(t *testing.T, email, ip string) *client.Client {
	t.Helper()
	ctx := context.Background()
	c := r.Client(ip)
	n := r.Messages(t, email)
	f, err := c.SignIn(ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	in, err := c.VerifyAndRemember(ctx, f.FlowID, r.CodeAfter(t, email, n))
	if err != nil {
		t.Fatal(err)
	}
	if in.DeviceToken == "" {
		t.Fatal("asked to remember the device, the answer set no device cookie")
	}
	c.Token, c.DeviceToken = in.SessionToken, in.DeviceToken
	r.StepUp(t, c.Token, email)
	n = r.Messages(t, email)
	if err := c.SetPassword(ctx, Password); err != nil {
		t.Fatalf("SetPassword after a step-up: %v", err)
	}
	if m := r.Mail(t, email, n); !strings.Contains(m.Subject, "password was set") {
		t.Fatalf("the address was not told of the new password: %q", m.Subject)
	}
	return c
}

// APIError fails the test unless err is the API's error answer with
// status and code, and returns it.
func APIError(t *testing.T, err error, status int, code string) *client.Error {
	t.Helper()
	var e *client.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v, want an API error %d %s", err, status, code)
	}
	if e.Status != status || e.Code != code {
		t.Fatalf("got %d %s (%s), want %d %s", e.Status, e.Code, e.Message, status, code)
	}
	return e
}

// forwardedFor adds X-Forwarded-For to every request, as the rig's proxy
// would.
type forwardedFor struct{ ip string }

func (f forwardedFor) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("X-Forwarded-For", f.ip)
	return http.DefaultTransport.RoundTrip(r)
}
