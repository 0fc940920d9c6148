package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/otpd/otpd/web/webtest"
)

func TestAPISignInFlow(t *testing.T) {
	r := webtest.New(t)
	c := r.Session(t, "Ada@Example.com", "")

	me, err := c.Me(ctx)
	if err != nil || me.Email != "Ada@example.com" || me.ID == "" || me.CreatedAt.IsZero() {
		t.Fatalf("Me = %+v, %v", me, err)
	}
	// An unused code for the same account must show in its activity.
	if _, err := r.Client("").SignIn(ctx, "ada@example.com"); err != nil {
		t.Fatal(err)
	}
	evs, err := c.Activity(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) == 0 || evs[0].Type != "code_requested" || evs[0].IP != "127.0.0.1" || !strings.HasPrefix(evs[0].UserAgent, "Go-http-client") {
		t.Fatalf("newest event %+v, want the unused code request with IP and user agent", evs)
	}
	if err := c.SignOut(ctx); err != nil {
		t.Fatal(err)
	}
	_, err = c.Me(ctx)
	apiError(t, err, http.StatusUnauthorized, "unauthorized")
	err = c.SignOut(ctx)
	apiError(t, err, http.StatusUnauthorized, "unauthorized")
}

func TestAPIWrongCodeAndResend(t *testing.T) {
	r := webtest.New(t)
	c := r.Client("")
	f, err := c.SignIn(ctx, "ada@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if f.FlowID == "" || !f.ResendAfter.Before(f.ExpiresAt) || !f.ResendAfter.After(r.Clock.Now().Add(-time.Minute)) {
		t.Fatalf("flow %+v", f)
	}
	right := r.CodeAfter(t, "ada@example.com", 0)
	wrong := "000000000"
	if right == wrong {
		wrong = "000000001"
	}
	_, err = c.Verify(ctx, f.FlowID, wrong)
	if e := apiError(t, err, http.StatusBadRequest, "invalid_code"); e.AttemptsLeft == nil || *e.AttemptsLeft != 4 || e.Field != "code" {
		t.Fatalf("attempts_left %v field %q", e.AttemptsLeft, e.Field)
	}
	_, err = c.Resend(ctx, f.FlowID)
	if e := apiError(t, err, http.StatusTooManyRequests, "rate_limited"); e.RetryAfterHeader == "" || e.RetryAfter == 0 {
		t.Fatalf("429 without Retry-After: %+v", e)
	}
	if _, err := c.Verify(ctx, f.FlowID, right); err != nil {
		t.Fatal(err)
	}
	_, err = c.Verify(ctx, f.FlowID, right)
	apiError(t, err, http.StatusBadRequest, "code_expired")
}

func TestAPIVerifySetsSecureCookie(t *testing.T) {
	r := webtest.New(t)
	c := r.Client("")
	f, err := c.SignIn(ctx, "ada@example.com")
	if err != nil {
		t.Fatal(err)
	}
	body := strings.NewReader(`{"code": "` + r.CodeAfter(t, "ada@example.com", 0) + `"}`)
	resp, err := http.Post(r.URL+"/api/v1/flows/"+f.FlowID+"/verify", "application/json", body)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cookies := resp.Cookies()
	if resp.StatusCode != 200 || len(cookies) != 1 {
		t.Fatalf("status %d cookies %v", resp.StatusCode, cookies)
	}
	ck := cookies[0]
	if ck.Name != "otpd_session" || !ck.HttpOnly || !ck.Secure || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" {
		t.Errorf("cookie %+v", ck)
	}
	// The API does not take the cookie: a cross-site request carries it.
	req, _ := http.NewRequest("GET", r.URL+"/api/v1/me", nil)
	req.AddCookie(ck)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("GET /api/v1/me with only the cookie: %d, want 401", resp.StatusCode)
	}
}
