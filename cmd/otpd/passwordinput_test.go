package main

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// Invariant 8 for the password, reset, step-up and device endpoints:
// bad input is a 4xx naming the field at fault, never a 5xx.
func TestPasswordEndpointsRefuseBadInputClearly(t *testing.T) {
	s := startServer(t, roomyLimits)
	c := s.signIn(t, "ada@example.com")
	bearer := "Bearer " + c.Token
	f, err := c.ForgotPassword(ctx, "ada@example.com")
	if err != nil {
		t.Fatal(err)
	}
	reset := func(fields string) string { return `{"flow_id":"` + f.FlowID + `",` + fields + `}` }
	for _, tc := range []struct {
		name, method, path, body, auth string
		status                         int
		code, field                    string
	}{
		{"password missing", "POST", "/api/v1/sign-in/password", `{"email":"ada@example.com"}`, "", 400, "invalid_request", "password"},
		{"password empty", "POST", "/api/v1/sign-in/password", `{"email":"ada@example.com","password":""}`, "", 400, "invalid_request", "password"},
		{"password not a string", "POST", "/api/v1/sign-in/password", `{"email":"ada@example.com","password":123}`, "", 400, "invalid_request", "password"},
		{"email missing", "POST", "/api/v1/sign-in/password", `{"password":"x"}`, "", 400, "invalid_request", "email"},
		{"email malformed", "POST", "/api/v1/sign-in/password", `{"email":"ada","password":"x"}`, "", 400, "invalid_request", "email"},
		{"bad json", "POST", "/api/v1/sign-in/password", `{"email":`, "", 400, "invalid_request", ""},
		{"unknown field", "POST", "/api/v1/sign-in/password", `{"email":"a@b.co","password":"x","otp":"1"}`, "", 400, "invalid_request", "otp"},
		{"forgot email missing", "POST", "/api/v1/password/forgot", `{}`, "", 400, "invalid_request", "email"},
		{"reset flow missing", "POST", "/api/v1/password/reset", `{"code":"123456789","password":"x"}`, "", 400, "invalid_request", "flow_id"},
		{"reset code missing", "POST", "/api/v1/password/reset", reset(`"password":"x"`), "", 400, "invalid_request", "code"},
		{"reset password missing", "POST", "/api/v1/password/reset", reset(`"code":"123456789"`), "", 400, "invalid_request", "password"},
		{"reset password empty", "POST", "/api/v1/password/reset", reset(`"code":"123456789","password":""`), "", 400, "invalid_request", "password"},
		{"reset code malformed", "POST", "/api/v1/password/reset", reset(`"code":"12","password":"x"`), "", 400, "invalid_request", "code"},
		{"reset remember not a bool", "POST", "/api/v1/password/reset", reset(`"code":"1","password":"x","remember_device":"yes"`), "", 400, "invalid_request", "remember_device"},
		{"reset unknown flow", "POST", "/api/v1/password/reset", `{"flow_id":"nosuch","code":"123456789","password":"` + goodPassword + `"}`, "", 404, "not_found", "flow_id"},
		{"verify remember not a bool", "POST", "/api/v1/flows/" + f.FlowID + "/verify", `{"code":"123456789","remember_device":1}`, "", 400, "invalid_request", "remember_device"},
		{"set password missing", "PUT", "/api/v1/me/password", `{}`, bearer, 400, "invalid_request", "password"},
		{"set password not a string", "PUT", "/api/v1/me/password", `{"password":["x"]}`, bearer, 400, "invalid_request", "password"},
		{"set password without token", "PUT", "/api/v1/me/password", `{"password":"x"}`, "", 401, "unauthorized", ""},
		{"set password, no step-up", "PUT", "/api/v1/me/password", `{"password":""}`, bearer, 403, "step_up_required", ""},
		{"remove password, no step-up", "DELETE", "/api/v1/me/password", "", bearer, 403, "step_up_required", ""},
		{"step-up without token", "POST", "/api/v1/me/step-up", "", "", 401, "unauthorized", ""},
		{"step-up code missing", "POST", "/api/v1/me/step-up/" + f.FlowID + "/verify", `{}`, bearer, 400, "invalid_request", "code"},
		{"step-up wrong flow", "POST", "/api/v1/me/step-up/" + f.FlowID + "/verify", `{"code":"123456789"}`, bearer, 400, "invalid_request", "flow_id"},
		{"step-up unknown flow", "POST", "/api/v1/me/step-up/nosuch/verify", `{"code":"123456789"}`, bearer, 404, "not_found", "flow_id"},
		{"devices without token", "GET", "/api/v1/me/devices", "", "", 401, "unauthorized", ""},
		{"forget unknown device", "DELETE", "/api/v1/me/devices/nosuch", "", bearer, 404, "not_found", "device_id"},
		{"password wrong method", "POST", "/api/v1/me/password", "", bearer, 405, "method_not_allowed", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, s.url+tc.path, strings.NewReader(tc.body))
			if tc.body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			if tc.auth != "" {
				req.Header.Set("Authorization", tc.auth)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			raw, _ := io.ReadAll(resp.Body)
			var body struct {
				Error struct{ Code, Message, Field string } `json:"error"`
			}
			if err := json.Unmarshal(raw, &body); err != nil {
				t.Fatalf("%d, body is not JSON: %q", resp.StatusCode, raw)
			}
			e := body.Error
			if resp.StatusCode != tc.status || e.Code != tc.code || e.Field != tc.field || e.Message == "" {
				t.Errorf("got %d %s field %q %q; want %d %s field %q", resp.StatusCode, e.Code, e.Field, e.Message, tc.status, tc.code, tc.field)
			}
		})
	}
	if strings.Contains(s.logs.String(), "level=ERROR") {
		t.Errorf("bad input was logged as a server error:\n%s", s.logs)
	}
}
