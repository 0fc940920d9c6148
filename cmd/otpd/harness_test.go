package main

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/client"
	"github.com/otpd/otpd/risk/geotest"
)

var ctx = context.Background()

func apiError(t *testing.T, err error, status int, code string) *client.Error {
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

// server is a real otpd process in miniature: run() with a command line,
// on a loopback port, over a real SQLite file.
type server struct {
	url  string
	dir  string
	logs *syncBuffer
	// env is the environment the server started with, for commands run
	// on its store.
	env map[string]string
}

// testServeArgs start every test server's listeners on free loopback
// ports, so that servers (and packages' tests) running at once do not
// meet on the default metrics port.
var testServeArgs = []string{"serve", "--listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0"}

var metricsLine = regexp.MustCompile(`serving metrics.*?url"?[=:]"?(http://[^"\s]+)`)

// metrics is the URL the server's metrics are scraped from, which it
// logged at start.
func (s *server) metrics(t *testing.T) string {
	t.Helper()
	m := metricsLine.FindStringSubmatch(s.logs.String())
	if m == nil {
		t.Fatalf("the server did not log where its metrics are:\n%s", s.logs)
	}
	return m[1]
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func startServer(t *testing.T, env map[string]string, args ...string) *server {
	t.Helper()
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	addr := make(chan string, 1)
	done := make(chan error, 1)
	logs := &syncBuffer{}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	argv := append(append(slices.Clone(testServeArgs), "--data", dir), args...)
	go func() {
		done <- run(ctx, argv, lookup, logs, logs, func(a string) { addr <- a })
	}()
	select {
	case a := <-addr:
		t.Cleanup(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("server stopped with %v", err)
			}
		})
		return &server{url: "http://" + a, dir: dir, logs: logs, env: env}
	case err := <-done:
		cancel()
		t.Fatalf("server did not start: %v\n%s", err, logs)
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatalf("server did not start in time\n%s", logs)
	}
	return nil
}

func (s *server) client() *client.Client { return client.New(s.url) }

var codeLine = regexp.MustCompile(`(?m)^\s*(\d{3} \d{3} \d{3})\s*$`)

// code waits for the newest message to email in the dev mailbox and reads
// its code. The outbox worker delivers asynchronously, so it polls, with a
// deadline.
func (s *server) code(t *testing.T, email string, after int) string {
	t.Helper()
	c := s.client()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		msgs, err := c.DevMessages(context.Background(), email)
		if err != nil {
			t.Fatal(err)
		}
		if len(msgs) > after {
			m := codeLine.FindStringSubmatch(msgs[0].Text)
			if m == nil {
				t.Fatalf("no code in %q", msgs[0].Text)
			}
			return strings.ReplaceAll(m[1], " ", "")
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no message %d to %s arrived", after+1, email)
	return ""
}

// signIn runs a whole flow over the API and returns a client holding the
// session token.
func (s *server) signIn(t *testing.T, email string) *client.Client {
	t.Helper()
	return s.signInAs(t, email, "")
}

// signInAs is signIn for a client behind a proxy that says it is ip.
func (s *server) signInAs(t *testing.T, email, ip string) *client.Client {
	t.Helper()
	c := s.client()
	if ip != "" {
		c.HTTP = &http.Client{Transport: forwardedFor{ip}}
	}
	ctx := context.Background()
	n := s.messages(t, email)
	f, err := c.SignIn(ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	in, err := c.Verify(ctx, f.FlowID, s.code(t, email, n))
	if err != nil {
		t.Fatal(err)
	}
	c.Token = in.SessionToken
	return c
}

func (s *server) messages(t *testing.T, email string) int {
	t.Helper()
	msgs, err := s.client().DevMessages(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	return len(msgs)
}

// forwardedFor adds X-Forwarded-For to every request, as a proxy would.
type forwardedFor struct{ ip string }

func (f forwardedFor) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("X-Forwarded-For", f.ip)
	return http.DefaultTransport.RoundTrip(r)
}

const goodPassword = "a long passphrase nobody guesses"

// roomyLimits lets one address ask for more codes than a person would in
// an hour, so that a test can walk through every step of an account.
var roomyLimits = map[string]string{"OTPD_LIMITS_CODES_PER_HOUR": "50", "OTPD_LIMITS_CODES_PER_DAY": "50"}

func withEnv(base map[string]string, kv ...string) map[string]string {
	env := map[string]string{}
	for k, v := range base {
		env[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		env[kv[i]] = kv[i+1]
	}
	return env
}

// mail waits for message after+1 to email and returns the newest; it is
// how a test waits for a notice, which carries no code.
func (s *server) mail(t *testing.T, email string, after int) client.Message {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		msgs, err := s.client().DevMessages(context.Background(), email)
		if err != nil {
			t.Fatal(err)
		}
		if len(msgs) > after {
			return msgs[0]
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no message %d to %s arrived", after+1, email)
	return client.Message{}
}

// stepUp confirms c's session with a code sent to email.
func (s *server) stepUp(t *testing.T, c *client.Client, email string) {
	t.Helper()
	n := s.messages(t, email)
	f, err := c.StepUp(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.VerifyStepUp(ctx, f.FlowID, s.code(t, email, n)); err != nil {
		t.Fatalf("VerifyStepUp: %v", err)
	}
}

// owner signs email up from a device it asks the server to remember, as
// a client behind a proxy that says it is ip (none when ""), and sets a
// password after a step-up. The client it returns holds the session
// token and the device cookie; the password notice has arrived.
func (s *server) owner(t *testing.T, email, ip string) *client.Client {
	t.Helper()
	c := s.client()
	if ip != "" {
		c.HTTP = &http.Client{Transport: forwardedFor{ip}}
	}
	n := s.messages(t, email)
	f, err := c.SignIn(ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	in, err := c.VerifyAndRemember(ctx, f.FlowID, s.code(t, email, n))
	if err != nil {
		t.Fatal(err)
	}
	if in.DeviceToken == "" {
		t.Fatal("asked to remember the device, the answer set no device cookie")
	}
	c.Token, c.DeviceToken = in.SessionToken, in.DeviceToken
	s.stepUp(t, c, email)
	n = s.messages(t, email)
	if err := c.SetPassword(ctx, goodPassword); err != nil {
		t.Fatalf("SetPassword after a step-up: %v", err)
	}
	if m := s.mail(t, email, n); !strings.Contains(m.Subject, "password was set") {
		t.Fatalf("the address was not told of the new password: %q", m.Subject)
	}
	return c
}

// undoLink is the one link of the notice to the old address after a
// change of address.
func undoLink(t *testing.T, m client.Message) string {
	t.Helper()
	links := denyLink.FindAllString(m.Text, -1)
	if len(links) != 1 {
		t.Fatalf("links %q in %q, want the undo link alone", links, m.Subject)
	}
	return links[0]
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
