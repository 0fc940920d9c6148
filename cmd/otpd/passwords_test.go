package main

import (
	"context"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/otpd/otpd/client"
)

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

func TestPasswordSignInFlow(t *testing.T) {
	s := startServer(t, roomyLimits)
	owner := s.owner(t, "ada@example.com", "")
	if me, err := owner.Me(ctx); err != nil || !me.HasPassword {
		t.Fatalf("Me after SetPassword = %+v, %v; want has_password", me, err)
	}
	if err := owner.SignOut(ctx); err != nil {
		t.Fatal(err)
	}

	// The remembered device: the password alone signs in, no code sent.
	n := s.messages(t, "ada@example.com")
	device := s.client()
	device.DeviceToken = owner.DeviceToken
	res, err := device.PasswordSignIn(ctx, "ada@example.com", goodPassword)
	if err != nil || res.SignedIn == nil {
		t.Fatalf("password from the remembered device: %+v, %v; want signed in", res, err)
	}
	device.Token = res.SignedIn.SessionToken
	if me, err := device.Me(ctx); err != nil || me.Email != "ada@example.com" {
		t.Fatalf("the password's session: %+v, %v", me, err)
	}
	if got := s.messages(t, "ada@example.com"); got != n {
		t.Errorf("a password from the remembered device sent %d messages", got-n)
	}

	// Any other client: a code is needed, and the code signs in.
	other := s.client()
	res, err = other.PasswordSignIn(ctx, "ada@example.com", goodPassword)
	if err != nil || res.SignedIn != nil || res.Flow == nil {
		t.Fatalf("password from a new device: %+v, %v; want a code required", res, err)
	}
	if !slices.Equal(res.Reasons, []string{"new device"}) {
		t.Errorf("reasons %q, want [new device]", res.Reasons)
	}
	in, err := other.Verify(ctx, res.Flow.FlowID, s.code(t, "ada@example.com", n))
	if err != nil {
		t.Fatalf("the code sent after the password: %v", err)
	}
	if in.DeviceToken != "" {
		t.Error("a device was remembered without being asked to")
	}
}

// The answer to a password sign-in that needs a code, as raw JSON: the
// client type hides code_required.
func TestPasswordCodeRequiredAnswer(t *testing.T) {
	s := startServer(t, roomyLimits)
	s.owner(t, "ada@example.com", "")
	resp, raw := postJSON(t, s.url+"/api/v1/sign-in/password", `{"email":"ada@example.com","password":"`+goodPassword+`"}`, nil)
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("status %d %s", resp.StatusCode, raw)
	}
	for _, want := range []string{`"code_required":true`, `"reasons":["new device"]`, `"flow_id":"`, `"expires_at":"`, `"resend_after":"`} {
		if !strings.Contains(raw, want) {
			t.Errorf("answer %s lacks %s", raw, want)
		}
	}
	if len(resp.Cookies()) != 0 {
		t.Errorf("a code-required answer set cookies %v", resp.Cookies())
	}
}

// A wrong password and an unknown address answer alike: same status,
// same body, same headers.
func TestWrongPasswordAndUnknownAddressAnswerAlike(t *testing.T) {
	s := startServer(t, roomyLimits)
	s.owner(t, "ada@example.com", "")
	wrong, wrongBody := postJSON(t, s.url+"/api/v1/sign-in/password", `{"email":"ada@example.com","password":"not the password at all"}`, nil)
	unknown, unknownBody := postJSON(t, s.url+"/api/v1/sign-in/password", `{"email":"nobody@example.com","password":"not the password at all"}`, nil)
	if wrong.StatusCode != http.StatusUnauthorized || !strings.Contains(wrongBody, `"code":"invalid_credentials"`) {
		t.Fatalf("wrong password: %d %s", wrong.StatusCode, wrongBody)
	}
	if unknown.StatusCode != wrong.StatusCode || unknownBody != wrongBody {
		t.Errorf("unknown address %d %s, wrong password %d %s", unknown.StatusCode, unknownBody, wrong.StatusCode, wrongBody)
	}
	if a, b := headerNames(wrong), headerNames(unknown); !slices.Equal(a, b) {
		t.Errorf("headers differ: %q and %q", a, b)
	}
}

// The smart lockout through HTTP: an attacker without the device cookie
// is paused after a few failures, while the owner's remembered device
// still signs in with the right password.
func TestAttackerCannotLockOwnerOut(t *testing.T) {
	s := startServer(t, withEnv(roomyLimits, "OTPD_LIMITS_LOCKOUT_AFTER", "3", "OTPD_LIMITS_LOCKOUT_BACKOFF", "1m"))
	owner := s.owner(t, "ada@example.com", "")
	attacker := s.client()
	for i := range 3 {
		_, err := attacker.PasswordSignIn(ctx, "ada@example.com", "guess number "+string(rune('a'+i))+" of many")
		if e := apiError(t, err, http.StatusUnauthorized, "invalid_credentials"); e.RetryAfterHeader != "" {
			t.Fatalf("failure %d already locks out (Retry-After %s)", i+1, e.RetryAfterHeader)
		}
	}
	_, err := attacker.PasswordSignIn(ctx, "ada@example.com", "the fourth guess of many")
	if e := apiError(t, err, http.StatusUnauthorized, "invalid_credentials"); e.RetryAfterHeader != "60" {
		t.Errorf("the failure that locks out: Retry-After %q, want 60", e.RetryAfterHeader)
	}
	_, err = attacker.PasswordSignIn(ctx, "ada@example.com", goodPassword)
	if e := apiError(t, err, http.StatusTooManyRequests, "too_many_attempts"); e.RetryAfterDuration() <= 0 || e.RetryAfterDuration() > time.Minute {
		t.Errorf("while locked out: Retry-After %q, want up to 60 s", e.RetryAfterHeader)
	}

	device := s.client()
	device.DeviceToken = owner.DeviceToken
	res, err := device.PasswordSignIn(ctx, "ada@example.com", goodPassword)
	if err != nil || res.SignedIn == nil {
		t.Fatalf("the owner on the remembered device: %+v, %v; want signed in", res, err)
	}
}

// postJSON posts body to u with extra cookies and returns the answer and
// its body.
func postJSON(t *testing.T, u, body string, cookies []*http.Cookie) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", u, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for _, c := range cookies {
		req.AddCookie(c)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, strings.TrimSpace(string(raw))
}

// headerNames are the answer's header names, but those that vary by
// nature (Date) or with the body (Content-Length).
func headerNames(resp *http.Response) []string {
	var names []string
	for k := range resp.Header {
		if k != "Date" && k != "Content-Length" {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	return names
}
