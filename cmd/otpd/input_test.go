package main

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// Invariant 8: whatever comes from outside is refused with a clear 4xx
// JSON error naming the field at fault, never a 5xx.
func TestAPIRefusesBadInputClearly(t *testing.T) {
	s := startServer(t, nil)
	f, err := s.client().SignIn(ctx, "ada@example.com")
	if err != nil {
		t.Fatal(err)
	}
	flow := "/api/v1/flows/" + f.FlowID
	long := strings.Repeat("x", 20<<10)
	for _, tc := range []struct {
		name, method, path, ctype, body string
		header                          [2]string
		status                          int
		code, field                     string
	}{
		{"empty body", "POST", "/api/v1/sign-in", "application/json", "", [2]string{}, 400, "invalid_request", ""},
		{"not json", "POST", "/api/v1/sign-in", "application/json", "email=a@b.c", [2]string{}, 400, "invalid_request", ""},
		{"array", "POST", "/api/v1/sign-in", "application/json", `["a@b.c"]`, [2]string{}, 400, "invalid_request", ""},
		{"missing email", "POST", "/api/v1/sign-in", "application/json", `{}`, [2]string{}, 400, "invalid_request", "email"},
		{"email not a string", "POST", "/api/v1/sign-in", "application/json", `{"email": 42}`, [2]string{}, 400, "invalid_request", "email"},
		{"unknown field", "POST", "/api/v1/sign-in", "application/json", `{"email":"a@b.co","admin":true}`, [2]string{}, 400, "invalid_request", "admin"},
		{"display name", "POST", "/api/v1/sign-in", "application/json", `{"email":"Ada <ada@example.com>"}`, [2]string{}, 400, "invalid_request", "email"},
		{"two addresses", "POST", "/api/v1/sign-in", "application/json", `{"email":"a@b.co, c@d.co"}`, [2]string{}, 400, "invalid_request", "email"},
		{"huge body", "POST", "/api/v1/sign-in", "application/json", `{"email":"` + long + `"}`, [2]string{}, 400, "invalid_request", ""},
		{"form content type", "POST", "/api/v1/sign-in", "application/x-www-form-urlencoded", `email=a@b.co`, [2]string{}, 415, "unsupported_media_type", "Content-Type"},
		{"wrong method", "GET", "/api/v1/sign-in", "", "", [2]string{}, 405, "method_not_allowed", ""},
		{"unknown api path", "GET", "/api/v1/nope", "", "", [2]string{}, 404, "not_found", ""},
		{"mailbox limit not a number", "GET", "/dev/mailbox/api/messages?limit=all", "", "", [2]string{}, 400, "invalid_request", "limit"},
		{"mailbox limit zero", "GET", "/dev/mailbox/api/messages?limit=0", "", "", [2]string{}, 400, "invalid_request", "limit"},
		{"unknown flow", "POST", "/api/v1/flows/nosuch/verify", "application/json", `{"code":"123456789"}`, [2]string{}, 404, "not_found", "flow_id"},
		{"unknown flow resend", "POST", "/api/v1/flows/nosuch/resend", "", "", [2]string{}, 404, "not_found", "flow_id"},
		{"code letters", "POST", flow + "/verify", "application/json", `{"code":"abcdefghi"}`, [2]string{}, 400, "invalid_request", "code"},
		{"code short", "POST", flow + "/verify", "application/json", `{"code":"123"}`, [2]string{}, 400, "invalid_request", "code"},
		{"code number", "POST", flow + "/verify", "application/json", `{"code":123456789}`, [2]string{}, 400, "invalid_request", "code"},
		{"code missing", "POST", flow + "/verify", "application/json", `{}`, [2]string{}, 400, "invalid_request", "code"},
		{"no token", "GET", "/api/v1/me", "", "", [2]string{}, 401, "unauthorized", ""},
		{"basic auth", "GET", "/api/v1/me", "", "", [2]string{"Authorization", "Basic YTpi"}, 401, "unauthorized", ""},
		{"junk token", "GET", "/api/v1/me/activity", "", "", [2]string{"Authorization", "Bearer " + long}, 401, "unauthorized", ""},
		{"forged token", "POST", "/api/v1/sign-out", "", "", [2]string{"Authorization", "Bearer " + strings.Repeat("A", 43)}, 401, "unauthorized", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, s.url+tc.path, strings.NewReader(tc.body))
			if tc.ctype != "" {
				req.Header.Set("Content-Type", tc.ctype)
			}
			if tc.header[0] != "" {
				req.Header.Set(tc.header[0], tc.header[1])
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
