package api_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/otpd/otpd/client"
	"github.com/otpd/otpd/web/webtest"
)

// Code-only sign-in off is the owner's answer to a flood of code emails:
// "continue with email" answers as always and sends nothing, and even
// the remembered device needs a code after the password.
func TestCodeSignInOff(t *testing.T) {
	r := webtest.New(t)
	owner := r.Owner(t, "ada@example.com", "")
	if me, err := owner.Me(ctx); err != nil || !me.CodeSignIn {
		t.Fatalf("Me = %+v, %v; want code_sign_in on by default", me, err)
	}
	if err := owner.SetCodeSignIn(ctx, false); err != nil {
		t.Fatal(err)
	}
	if me, err := owner.Me(ctx); err != nil || me.CodeSignIn {
		t.Fatalf("Me = %+v, %v; want code_sign_in off", me, err)
	}

	n := r.Messages(t, "ada@example.com")
	stranger := r.Client("")
	silent, err := stranger.SignIn(ctx, "ada@example.com")
	if err != nil || silent.FlowID == "" {
		t.Fatalf("continue with email: %+v, %v; want a flow as always", silent, err)
	}
	device := r.Client("")
	device.DeviceToken = owner.DeviceToken
	res, err := device.PasswordSignIn(ctx, "ada@example.com", goodPassword)
	if err != nil || res.SignedIn != nil || res.Flow == nil {
		t.Fatalf("password on the remembered device: %+v, %v; want code_required", res, err)
	}
	if !strings.HasPrefix(strings.Join(res.Reasons, "; "), "this account asks for a password and a code") {
		t.Errorf("reasons %q", res.Reasons)
	}
	// The one code that arrives is the password's: the stranger's
	// request sent nothing, and its flow cannot be finished.
	code := r.CodeAfter(t, "ada@example.com", n)
	if _, err := device.Verify(ctx, res.Flow.FlowID, code); err != nil {
		t.Fatalf("the code after the password: %v", err)
	}
	if got := r.Messages(t, "ada@example.com"); got != n+1 {
		t.Errorf("%d messages arrived, want the password's code alone", got-n)
	}
	// Even the right code for the stranger's flow is a wrong code, as it
	// would be for an address without an account.
	_, err = stranger.Verify(ctx, silent.FlowID, code)
	apiError(t, err, http.StatusBadRequest, "invalid_code")
	evs, err := owner.Activity(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(evs, func(e client.Event) bool {
		return strings.Contains(e.Detail, "No code was sent, because code-only sign-in is off")
	}) {
		t.Error("the activity does not say the stranger's code was not sent")
	}

	if err := owner.SetCodeSignIn(ctx, true); err != nil {
		t.Fatal(err)
	}
	n = r.Messages(t, "ada@example.com")
	f, err := stranger.SignIn(ctx, "ada@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := stranger.Verify(ctx, f.FlowID, r.CodeAfter(t, "ada@example.com", n)); err != nil {
		t.Errorf("a code alone, back on: %v", err)
	}
}

// Turning code-only sign-in off would lock out an account without a
// password.
func TestCodeSignInOffNeedsPassword(t *testing.T) {
	r := webtest.New(t)
	c := r.Session(t, "ada@example.com", "")
	r.StepUp(t, c.Token, "ada@example.com")
	err := c.SetCodeSignIn(ctx, false)
	if e := apiError(t, err, http.StatusBadRequest, "invalid_request"); e.Field != "code_sign_in" {
		t.Errorf("field %q, want code_sign_in", e.Field)
	}
}

func TestSignOutEverywhere(t *testing.T) {
	r := webtest.New(t)
	c := r.Session(t, "ada@example.com", "")
	other := r.Session(t, "ada@example.com", "")
	_, err := c.SignOutEverywhere(ctx)
	apiError(t, err, http.StatusForbidden, "step_up_required")
	if _, err := other.Me(ctx); err != nil {
		t.Fatalf("refused, it signed the other session out: %v", err)
	}
	r.StepUp(t, c.Token, "ada@example.com")
	n, err := c.SignOutEverywhere(ctx)
	if err != nil || n != 1 {
		t.Fatalf("SignOutEverywhere = %d, %v; want 1 ended", n, err)
	}
	_, err = other.Me(ctx)
	apiError(t, err, http.StatusUnauthorized, "unauthorized")
	if _, err := c.Me(ctx); err != nil {
		t.Errorf("the session that asked was signed out too: %v", err)
	}
	if !hasEvent(t, c, "sessions_ended") {
		t.Error("no sessions_ended event")
	}
}
