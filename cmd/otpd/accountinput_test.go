package main

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// Invariant 8 for the address, settings and sign-out-everywhere
// endpoints and for send_to: bad input is a 4xx naming the field at
// fault, and every sensitive change without a step-up is a 403.
func TestAccountEndpointsRefuseBadInputClearly(t *testing.T) {
	s := startServer(t, roomyLimits)
	fresh := "Bearer " + s.signIn(t, "ada@example.com").Token
	stepped := s.signIn(t, "ada@example.com")
	s.stepUp(t, stepped, "ada@example.com")
	up := "Bearer " + stepped.Token
	f, err := s.client().SignIn(ctx, "bob@example.com")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, method, path, body, auth string
		status                         int
		code, field                    string
	}{
		{"send_to unknown", "POST", "/api/v1/sign-in", `{"email":"ada@example.com","send_to":"x"}`, "", 400, "invalid_request", "send_to"},
		{"send_to empty", "POST", "/api/v1/sign-in", `{"email":"ada@example.com","send_to":""}`, "", 400, "invalid_request", "send_to"},
		{"send_to not a string", "POST", "/api/v1/sign-in", `{"email":"ada@example.com","send_to":true}`, "", 400, "invalid_request", "send_to"},
		{"forgot send_to unknown", "POST", "/api/v1/password/forgot", `{"email":"ada@example.com","send_to":"backup"}`, "", 400, "invalid_request", "send_to"},
		{"send_to without email", "POST", "/api/v1/sign-in", `{"send_to":"recovery"}`, "", 400, "invalid_request", "email"},

		{"settings missing", "PUT", "/api/v1/me/settings", `{}`, up, 400, "invalid_request", "code_sign_in"},
		{"settings null", "PUT", "/api/v1/me/settings", `{"code_sign_in":null}`, up, 400, "invalid_request", "code_sign_in"},
		{"settings not a bool", "PUT", "/api/v1/me/settings", `{"code_sign_in":"off"}`, up, 400, "invalid_request", "code_sign_in"},
		{"settings unknown field", "PUT", "/api/v1/me/settings", `{"code_only":false}`, up, 400, "invalid_request", "code_only"},
		{"settings wrong method", "GET", "/api/v1/me/settings", "", up, 405, "method_not_allowed", ""},
		{"email missing", "POST", "/api/v1/me/email", `{}`, up, 400, "invalid_request", "email"},
		{"email malformed", "POST", "/api/v1/me/email", `{"email":"ada"}`, up, 400, "invalid_request", "email"},
		{"email unchanged", "POST", "/api/v1/me/email", `{"email":"ADA@example.com"}`, up, 400, "invalid_request", "email"},
		{"recovery missing", "POST", "/api/v1/me/recovery", `{}`, up, 400, "invalid_request", "email"},
		{"recovery not a string", "POST", "/api/v1/me/recovery", `{"email":["a@b.co"]}`, up, 400, "invalid_request", "email"},
		{"recovery is the address", "POST", "/api/v1/me/recovery", `{"email":"ada@example.com"}`, up, 400, "invalid_request", "email"},
		{"remove no recovery", "DELETE", "/api/v1/me/recovery", "", up, 400, "invalid_request", "email"},
		{"confirm code missing", "POST", "/api/v1/me/addresses/" + f.FlowID + "/verify", `{}`, up, 400, "invalid_request", "code"},
		{"confirm a sign-in flow", "POST", "/api/v1/me/addresses/" + f.FlowID + "/verify", `{"code":"123456789"}`, up, 400, "invalid_request", "flow_id"},
		{"confirm unknown flow", "POST", "/api/v1/me/addresses/nosuch/verify", `{"code":"123456789"}`, up, 404, "not_found", "flow_id"},

		{"sign out everywhere, no step-up", "POST", "/api/v1/me/sign-out-everywhere", "", fresh, 403, "step_up_required", ""},
		{"settings, no step-up", "PUT", "/api/v1/me/settings", `{"code_sign_in":true}`, fresh, 403, "step_up_required", ""},
		{"change email, no step-up", "POST", "/api/v1/me/email", `{"email":"ada@new.example"}`, fresh, 403, "step_up_required", ""},
		{"add recovery, no step-up", "POST", "/api/v1/me/recovery", `{"email":"ada@new.example"}`, fresh, 403, "step_up_required", ""},
		{"remove recovery, no step-up", "DELETE", "/api/v1/me/recovery", "", fresh, 403, "step_up_required", ""},

		{"sign out everywhere without token", "POST", "/api/v1/me/sign-out-everywhere", "", "", 401, "unauthorized", ""},
		{"settings without token", "PUT", "/api/v1/me/settings", `{"code_sign_in":true}`, "", 401, "unauthorized", ""},
		{"change email without token", "POST", "/api/v1/me/email", `{"email":"ada@new.example"}`, "", 401, "unauthorized", ""},
		{"confirm without token", "POST", "/api/v1/me/addresses/" + f.FlowID + "/verify", `{"code":"123456789"}`, "", 401, "unauthorized", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, e := call(t, tc.method, s.url+tc.path, tc.body, tc.auth)
			if status != tc.status || e.Code != tc.code || e.Field != tc.field || e.Message == "" {
				t.Errorf("got %d %s field %q %q; want %d %s field %q", status, e.Code, e.Field, e.Message, tc.status, tc.code, tc.field)
			}
		})
	}
	if strings.Contains(s.logs.String(), "level=ERROR") {
		t.Errorf("bad input was logged as a server error:\n%s", s.logs)
	}
}

// apiErr is the error body of an API answer.
type apiErr struct{ Code, Message, Field string }

// call sends a JSON request (none when body is "") with an Authorization
// header (none when auth is "") and returns the status and error body.
func call(t *testing.T, method, u, body, auth string) (int, apiErr) {
	t.Helper()
	req, _ := http.NewRequest(method, u, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out struct {
		Error apiErr `json:"error"`
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("%d, body is not JSON: %q", resp.StatusCode, raw)
	}
	return resp.StatusCode, out.Error
}
