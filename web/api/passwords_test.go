package api_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/otpd/otpd/signin"
	"github.com/otpd/otpd/web/webtest"
)

func TestPasswordSignInFlow(t *testing.T) {
	r := webtest.New(t)
	owner := r.Owner(t, "ada@example.com", "")
	if me, err := owner.Me(ctx); err != nil || !me.HasPassword {
		t.Fatalf("Me after SetPassword = %+v, %v; want has_password", me, err)
	}
	if err := owner.SignOut(ctx); err != nil {
		t.Fatal(err)
	}

	// The remembered device: the password alone signs in, no code sent.
	n := r.Messages(t, "ada@example.com")
	device := r.Client("")
	device.DeviceToken = owner.DeviceToken
	res, err := device.PasswordSignIn(ctx, "ada@example.com", goodPassword)
	if err != nil || res.SignedIn == nil {
		t.Fatalf("password from the remembered device: %+v, %v; want signed in", res, err)
	}
	device.Token = res.SignedIn.SessionToken
	if me, err := device.Me(ctx); err != nil || me.Email != "ada@example.com" {
		t.Fatalf("the password's session: %+v, %v", me, err)
	}
	if got := r.Messages(t, "ada@example.com"); got != n {
		t.Errorf("a password from the remembered device sent %d messages", got-n)
	}

	// Any other client: a code is needed, and the code signs in.
	other := r.Client("")
	res, err = other.PasswordSignIn(ctx, "ada@example.com", goodPassword)
	if err != nil || res.SignedIn != nil || res.Flow == nil {
		t.Fatalf("password from a new device: %+v, %v; want a code required", res, err)
	}
	if !slices.Equal(res.Reasons, []string{"new device"}) {
		t.Errorf("reasons %q, want [new device]", res.Reasons)
	}
	in, err := other.Verify(ctx, res.Flow.FlowID, r.CodeAfter(t, "ada@example.com", n))
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
	r := webtest.New(t)
	r.Owner(t, "ada@example.com", "")
	resp, raw := webtest.PostJSON(t, r.URL+"/api/v1/sign-in/password", `{"email":"ada@example.com","password":"`+goodPassword+`"}`, nil)
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
	r := webtest.New(t)
	r.Owner(t, "ada@example.com", "")
	wrong, wrongBody := webtest.PostJSON(t, r.URL+"/api/v1/sign-in/password", `{"email":"ada@example.com","password":"not the password at all"}`, nil)
	unknown, unknownBody := webtest.PostJSON(t, r.URL+"/api/v1/sign-in/password", `{"email":"nobody@example.com","password":"not the password at all"}`, nil)
	if wrong.StatusCode != http.StatusUnauthorized || !strings.Contains(wrongBody, `"code":"invalid_credentials"`) {
		t.Fatalf("wrong password: %d %s", wrong.StatusCode, wrongBody)
	}
	if unknown.StatusCode != wrong.StatusCode || unknownBody != wrongBody {
		t.Errorf("unknown address %d %s, wrong password %d %s", unknown.StatusCode, unknownBody, wrong.StatusCode, wrongBody)
	}
	if a, b := webtest.HeaderNames(wrong), webtest.HeaderNames(unknown); !slices.Equal(a, b) {
		t.Errorf("headers differ: %q and %q", a, b)
	}
}

// The smart lockout through HTTP: an attacker without the device cookie
// is paused after a few failures, while the owner's remembered device
// still signs in with the right password.
func TestAttackerCannotLockOwnerOut(t *testing.T) {
	r := webtest.New(t, func(p *signin.Policy) { p.Guess.Free, p.Guess.Backoff = 3, time.Minute })
	owner := r.Owner(t, "ada@example.com", "")
	attacker := r.Client("")
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

	device := r.Client("")
	device.DeviceToken = owner.DeviceToken
	res, err := device.PasswordSignIn(ctx, "ada@example.com", goodPassword)
	if err != nil || res.SignedIn == nil {
		t.Fatalf("the owner on the remembered device: %+v, %v; want signed in", res, err)
	}
}
