package main

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/otpd/otpd/client"
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

func TestAPISignInFlow(t *testing.T) {
	s := startServer(t, nil)
	c := s.signIn(t, "Ada@Example.com")

	me, err := c.Me(ctx)
	if err != nil || me.Email != "Ada@example.com" || me.ID == "" || me.CreatedAt.IsZero() {
		t.Fatalf("Me = %+v, %v", me, err)
	}
	// An unused code for the same account must show in its activity.
	if _, err := s.client().SignIn(ctx, "ada@example.com"); err != nil {
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
	s := startServer(t, nil)
	c := s.client()
	f, err := c.SignIn(ctx, "ada@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if f.FlowID == "" || !f.ResendAfter.Before(f.ExpiresAt) || !f.ResendAfter.After(time.Now().Add(-time.Minute)) {
		t.Fatalf("flow %+v", f)
	}
	right := s.code(t, "ada@example.com", 0)
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
	s := startServer(t, nil)
	c := s.client()
	f, err := c.SignIn(ctx, "ada@example.com")
	if err != nil {
		t.Fatal(err)
	}
	body := strings.NewReader(`{"code": "` + s.code(t, "ada@example.com", 0) + `"}`)
	resp, err := http.Post(s.url+"/api/v1/flows/"+f.FlowID+"/verify", "application/json", body)
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
	req, _ := http.NewRequest("GET", s.url+"/api/v1/me", nil)
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

func TestOpenAPIServed(t *testing.T) {
	s := startServer(t, nil)
	resp, err := http.Get(s.url + "/api/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("status %d type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}
