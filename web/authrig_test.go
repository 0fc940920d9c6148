package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/fakeclock"
	"github.com/otpd/otpd/limit"
	"github.com/otpd/otpd/passcode"
	"github.com/otpd/otpd/signin"
	"github.com/otpd/otpd/sqlite"
	"github.com/otpd/otpd/web"
)

// countingStore is the real SQLite store, counting the session look-ups
// by token that authenticating a request makes.
type countingStore struct {
	otpd.Store
	lookups atomic.Int64
}

func (s *countingStore) SessionByTokenHash(ctx context.Context, hash []byte) (otpd.Session, error) {
	s.lookups.Add(1)
	return s.Store.SessionByTokenHash(ctx, hash)
}

// keptCodes are the real codes, the newest of which the test reads back
// instead of from an email.
type keptCodes struct {
	*passcode.Book
	mu   sync.Mutex
	last string
}

func (c *keptCodes) New() (string, error) {
	code, err := c.Book.New()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.last = code
	return code, err
}

func (c *keptCodes) newest() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.last
}

// authRig is a web server over the counting store, and a signed-in
// session's token.
type authRig struct {
	srv   *httptest.Server
	store *countingStore
	codes *keptCodes
	clock *fakeclock.Clock
	// flow is the sign-in that started the session of token.
	flow, token string
}

func newAuthRig(t *testing.T) *authRig {
	t.Helper()
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "otpd.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	book, err := passcode.New(bytes.Repeat([]byte{1}, 32), 9)
	if err != nil {
		t.Fatal(err)
	}
	a := &authRig{store: &countingStore{Store: db}, codes: &keptCodes{Book: book},
		clock: fakeclock.New(time.Date(2026, 11, 23, 14, 2, 0, 0, time.UTC))}
	policy := signin.Policy{
		Digits: 9, CodeLifetime: 10 * time.Minute, MaxAttempts: 5,
		Send:          otpd.SendLimits{PerHour: 5, PerDay: 10, ResendCooldown: 30 * time.Second},
		Guess:         otpd.GuessLimits{MaxWrong: 10, Window: 12 * time.Hour},
		GuessFamiliar: otpd.GuessLimits{MaxWrong: 10, Window: 12 * time.Hour},
		SessionIdle:   72 * time.Hour, SessionAbsolute: 720 * time.Hour, StepUpFor: 10 * time.Minute,
		SignUp: true, MessageIDDomain: "otpd.test",
	}
	engine := signin.New(signin.Deps{Store: a.store, Codes: a.codes, Clock: a.clock, Limiter: limit.NewMemory()}, policy)
	a.srv = httptest.NewServer(web.New(web.Options{Engine: engine, Clock: a.clock}).Handler())
	t.Cleanup(a.srv.Close)
	a.flow = a.signIn(t, "ada@example.com")
	var in struct {
		Token string `json:"session_token"`
	}
	a.api(t, "POST", "/api/v1/flows/"+a.flow+"/verify", `{"code":"`+a.codes.newest()+`"}`, http.StatusOK, &in)
	a.token = in.Token
	return a
}

// signIn asks for a code and returns its flow's ID.
func (a *authRig) signIn(t *testing.T, email string) string {
	t.Helper()
	var flow struct {
		ID string `json:"flow_id"`
	}
	a.api(t, "POST", "/api/v1/sign-in", `{"email":"`+email+`"}`, http.StatusAccepted, &flow)
	return flow.ID
}

// api sends a JSON request, with the session's bearer token once there
// is one, and decodes the answer into out.
func (a *authRig) api(t *testing.T, method, path, body string, want int, out any) {
	t.Helper()
	req, err := http.NewRequest(method, a.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if a.token != "" {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	a.do(t, req, want, out)
}

// page sends a browser's request with the session cookie, and returns
// the answer's body and cookies.
func (a *authRig) page(t *testing.T, method, path string, form url.Values, want int) (string, []*http.Cookie) {
	t.Helper()
	req, err := http.NewRequest(method, a.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.AddCookie(&http.Cookie{Name: "otpd_session", Value: a.token})
	var body bytes.Buffer
	cookies := a.do(t, req, want, &body)
	return body.String(), cookies
}

// do sends req and reads the answer into out: a *bytes.Buffer takes the
// body as it is, anything else its JSON.
func (a *authRig) do(t *testing.T, req *http.Request, want int, out any) []*http.Cookie {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != want {
		var b bytes.Buffer
		b.ReadFrom(res.Body)
		t.Fatalf("%s %s: %d, want %d: %s", req.Method, req.URL.Path, res.StatusCode, want, b.String())
	}
	switch out := out.(type) {
	case nil:
	case *bytes.Buffer:
		if _, err := out.ReadFrom(res.Body); err != nil {
			t.Fatal(err)
		}
	default:
		if err := json.NewDecoder(res.Body).Decode(out); err != nil {
			t.Fatal(err)
		}
	}
	return res.Cookies()
}
