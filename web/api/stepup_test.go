package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/otpd/otpd/web/webtest"
)

// Changing how an account signs in needs a code verified in the same
// session moments before: a stolen session token alone cannot do it.
func TestStepUpGuardsPasswordChanges(t *testing.T) {
	r := webtest.New(t)
	c := r.Session(t, "ada@example.com", "")
	err := c.SetPassword(ctx, goodPassword)
	apiError(t, err, http.StatusForbidden, "step_up_required")
	err = c.RemovePassword(ctx)
	apiError(t, err, http.StatusForbidden, "step_up_required")

	// A step-up code verifies only in the session that asked for it.
	other := r.Session(t, "ada@example.com", "")
	n := r.Messages(t, "ada@example.com")
	f, err := other.StepUp(ctx)
	if err != nil {
		t.Fatal(err)
	}
	code := r.CodeAfter(t, "ada@example.com", n)
	_, err = c.VerifyStepUp(ctx, f.FlowID, code)
	if e := apiError(t, err, http.StatusBadRequest, "invalid_request"); e.Field != "flow_id" {
		t.Errorf("another session's step-up: field %q, want flow_id", e.Field)
	}

	r.StepUp(t, c.Token, "ada@example.com")
	n = r.Messages(t, "ada@example.com")
	if err := c.SetPassword(ctx, goodPassword); err != nil {
		t.Fatalf("SetPassword after a step-up: %v", err)
	}
	if m := r.Mail(t, "ada@example.com", n); !strings.Contains(m.Subject, "password was set") {
		t.Errorf("notice %q", m.Subject)
	}
	if me, err := c.Me(ctx); err != nil || !me.HasPassword {
		t.Fatalf("Me = %+v, %v; want has_password", me, err)
	}
	if err := c.RemovePassword(ctx); err != nil {
		t.Fatalf("RemovePassword after a step-up: %v", err)
	}
	if m := r.Mail(t, "ada@example.com", n+1); !strings.Contains(m.Subject, "password was removed") {
		t.Errorf("notice %q", m.Subject)
	}
	if me, err := c.Me(ctx); err != nil || me.HasPassword {
		t.Fatalf("Me = %+v, %v; want no password", me, err)
	}
	// The step-up was for c's session alone.
	err = other.SetPassword(ctx, goodPassword)
	apiError(t, err, http.StatusForbidden, "step_up_required")
}

func TestVerifyStepUpAnswer(t *testing.T) {
	r := webtest.New(t)
	c := r.Session(t, "ada@example.com", "")
	n := r.Messages(t, "ada@example.com")
	f, err := c.StepUp(ctx)
	if err != nil {
		t.Fatal(err)
	}
	up, err := c.VerifyStepUp(ctx, f.FlowID, r.CodeAfter(t, "ada@example.com", n))
	if err != nil {
		t.Fatal(err)
	}
	// The default step-up lasts 10 minutes.
	if up.SteppedUpAt.IsZero() || up.ValidUntil.Sub(up.SteppedUpAt) != 10*time.Minute {
		t.Errorf("stepped up %+v, want valid for 10 minutes", up)
	}
	_, err = c.VerifyStepUp(ctx, f.FlowID, r.CodeAfter(t, "ada@example.com", n))
	apiError(t, err, http.StatusBadRequest, "code_expired")
}
