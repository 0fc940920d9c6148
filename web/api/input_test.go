package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/otpd/otpd/web/webtest"
)

// goodPassword is one the password policy takes.
const goodPassword = "a long passphrase nobody guesses"

// refusal is a bad request and the error it must get: a 4xx naming the
// field at fault, never a 5xx.
type refusal struct {
	name, method, path, ctype, body string
	// header is one header's name and value, or nil.
	header      []string
	status      int
	code, field string
}

// refuses sends each request and checks its error, then that none of it
// was logged as a server error (invariant 8).
func refuses(t *testing.T, r *webtest.Rig, cases []refusal) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, r.URL+tc.path, strings.NewReader(tc.body))
			if tc.ctype != "" {
				req.Header.Set("Content-Type", tc.ctype)
			}
			if tc.header != nil {
				req.Header.Set(tc.header[0], tc.header[1])
			}
			a := r.Do(t, req)
			var body struct {
				Error struct{ Code, Message, Field string } `json:"error"`
			}
			if err := json.Unmarshal([]byte(a.Body), &body); err != nil {
				t.Fatalf("%d, body is not JSON: %q", a.Status, a.Body)
			}
			e := body.Error
			if a.Status != tc.status || e.Code != tc.code || e.Field != tc.field || e.Message == "" {
				t.Errorf("got %d %s field %q %q; want %d %s field %q", a.Status, e.Code, e.Field, e.Message, tc.status, tc.code, tc.field)
			}
		})
	}
	if strings.Contains(r.Logs.String(), "level=ERROR") {
		t.Errorf("bad input was logged as a server error:\n%s", r.Logs)
	}
}

// authed is a JSON request's refusal with an Authorization header (none
// when auth is ""), as the account tables write them.
func authed(name, method, path, body, auth string, status int, code, field string) refusal {
	tc := refusal{name: name, method: method, path: path, body: body, status: status, code: code, field: field}
	if body != "" {
		tc.ctype = "application/json"
	}
	if auth != "" {
		tc.header = []string{"Authorization", auth}
	}
	return tc
}

// Invariant 8: whatever comes from outside is refused with a clear 4xx
// JSON error naming the field at fault, never a 5xx.
func TestAPIRefusesBadInputClearly(t *testing.T) {
	r := webtest.New(t)
	flow := "/api/v1/flows/" + r.Flow(t, "ada@example.com")
	long := strings.Repeat("x", 20<<10)
	refuses(t, r, []refusal{
		{"empty body", "POST", "/api/v1/sign-in", "application/json", "", nil, 400, "invalid_request", ""},
		{"not json", "POST", "/api/v1/sign-in", "application/json", "email=a@b.c", nil, 400, "invalid_request", ""},
		{"array", "POST", "/api/v1/sign-in", "application/json", `["a@b.c"]`, nil, 400, "invalid_request", ""},
		{"missing email", "POST", "/api/v1/sign-in", "application/json", `{}`, nil, 400, "invalid_request", "email"},
		{"email not a string", "POST", "/api/v1/sign-in", "application/json", `{"email": 42}`, nil, 400, "invalid_request", "email"},
		{"unknown field", "POST", "/api/v1/sign-in", "application/json", `{"email":"a@b.co","admin":true}`, nil, 400, "invalid_request", "admin"},
		{"display name", "POST", "/api/v1/sign-in", "application/json", `{"email":"Ada <ada@example.com>"}`, nil, 400, "invalid_request", "email"},
		{"two addresses", "POST", "/api/v1/sign-in", "application/json", `{"email":"a@b.co, c@d.co"}`, nil, 400, "invalid_request", "email"},
		{"huge body", "POST", "/api/v1/sign-in", "application/json", `{"email":"` + long + `"}`, nil, 400, "invalid_request", ""},
		{"form content type", "POST", "/api/v1/sign-in", "application/x-www-form-urlencoded", `email=a@b.co`, nil, 415, "unsupported_media_type", "Content-Type"},
		{"wrong method", "GET", "/api/v1/sign-in", "", "", nil, 405, "method_not_allowed", ""},
		{"unknown api path", "GET", "/api/v1/nope", "", "", nil, 404, "not_found", ""},
		{"mailbox limit not a number", "GET", "/dev/mailbox/api/messages?limit=all", "", "", nil, 400, "invalid_request", "limit"},
		{"mailbox limit zero", "GET", "/dev/mailbox/api/messages?limit=0", "", "", nil, 400, "invalid_request", "limit"},
		{"unknown flow", "POST", "/api/v1/flows/nosuch/verify", "application/json", `{"code":"123456789"}`, nil, 404, "not_found", "flow_id"},
		{"unknown flow resend", "POST", "/api/v1/flows/nosuch/resend", "", "", nil, 404, "not_found", "flow_id"},
		{"code letters", "POST", flow + "/verify", "application/json", `{"code":"abcdefghi"}`, nil, 400, "invalid_request", "code"},
		{"code short", "POST", flow + "/verify", "application/json", `{"code":"123"}`, nil, 400, "invalid_request", "code"},
		{"code number", "POST", flow + "/verify", "application/json", `{"code":123456789}`, nil, 400, "invalid_request", "code"},
		{"code missing", "POST", flow + "/verify", "application/json", `{}`, nil, 400, "invalid_request", "code"},
		{"no token", "GET", "/api/v1/me", "", "", nil, 401, "unauthorized", ""},
		{"basic auth", "GET", "/api/v1/me", "", "", []string{"Authorization", "Basic YTpi"}, 401, "unauthorized", ""},
		{"junk token", "GET", "/api/v1/me/activity", "", "", []string{"Authorization", "Bearer " + long}, 401, "unauthorized", ""},
		{"forged token", "POST", "/api/v1/sign-out", "", "", []string{"Authorization", "Bearer " + strings.Repeat("A", 43)}, 401, "unauthorized", ""},
	})
}

// Invariant 8 for the address, settings and sign-out-everywhere
// endpoints and for send_to: bad input is a 4xx naming the field at
// fault, and every sensitive change without a step-up is a 403.
func TestAccountEndpointsRefuseBadInputClearly(t *testing.T) {
	r := webtest.New(t)
	token, _ := r.SignIn(t, "ada@example.com")
	fresh := "Bearer " + token
	stepped, _ := r.SignIn(t, "ada@example.com")
	r.StepUp(t, stepped, "ada@example.com")
	up := "Bearer " + stepped
	f := r.Flow(t, "bob@example.com")
	var cases []refusal
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
		{"language missing", "PUT", "/api/v1/me/language", `{}`, fresh, 400, "invalid_request", "language"},
		{"language null", "PUT", "/api/v1/me/language", `{"language":null}`, fresh, 400, "invalid_request", "language"},
		{"language unknown", "PUT", "/api/v1/me/language", `{"language":"xx"}`, fresh, 400, "invalid_request", "language"},
		{"language not a string", "PUT", "/api/v1/me/language", `{"language":7}`, fresh, 400, "invalid_request", "language"},
		{"language a header's worth", "PUT", "/api/v1/me/language", `{"language":"de-DE,de;q=0.9"}`, fresh, 400, "invalid_request", "language"},
		{"language wrong method", "GET", "/api/v1/me/language", "", fresh, 405, "method_not_allowed", ""},
		{"language without token", "PUT", "/api/v1/me/language", `{"language":"de"}`, "", 401, "unauthorized", ""},
		{"email missing", "POST", "/api/v1/me/email", `{}`, up, 400, "invalid_request", "email"},
		{"email malformed", "POST", "/api/v1/me/email", `{"email":"ada"}`, up, 400, "invalid_request", "email"},
		{"email unchanged", "POST", "/api/v1/me/email", `{"email":"ADA@example.com"}`, up, 400, "invalid_request", "email"},
		{"recovery missing", "POST", "/api/v1/me/recovery", `{}`, up, 400, "invalid_request", "email"},
		{"recovery not a string", "POST", "/api/v1/me/recovery", `{"email":["a@b.co"]}`, up, 400, "invalid_request", "email"},
		{"recovery is the address", "POST", "/api/v1/me/recovery", `{"email":"ada@example.com"}`, up, 400, "invalid_request", "email"},
		{"remove no recovery", "DELETE", "/api/v1/me/recovery", "", up, 400, "invalid_request", "email"},
		{"confirm code missing", "POST", "/api/v1/me/addresses/" + f + "/verify", `{}`, up, 400, "invalid_request", "code"},
		{"confirm a sign-in flow", "POST", "/api/v1/me/addresses/" + f + "/verify", `{"code":"123456789"}`, up, 400, "invalid_request", "flow_id"},
		{"confirm unknown flow", "POST", "/api/v1/me/addresses/nosuch/verify", `{"code":"123456789"}`, up, 404, "not_found", "flow_id"},

		{"remove an app without access", "DELETE", "/api/v1/me/apps/nosuch", "", fresh, 404, "not_found", "client_id"},
		{"apps wrong method", "POST", "/api/v1/me/apps", "", fresh, 405, "method_not_allowed", ""},
		{"apps without a token", "GET", "/api/v1/me/apps", "", "", 401, "unauthorized", ""},
		{"remove an app without a token", "DELETE", "/api/v1/me/apps/notes", "", "", 401, "unauthorized", ""},

		{"sign out everywhere, no step-up", "POST", "/api/v1/me/sign-out-everywhere", "", fresh, 403, "step_up_required", ""},
		{"settings, no step-up", "PUT", "/api/v1/me/settings", `{"code_sign_in":true}`, fresh, 403, "step_up_required", ""},
		{"change email, no step-up", "POST", "/api/v1/me/email", `{"email":"ada@new.example"}`, fresh, 403, "step_up_required", ""},
		{"add recovery, no step-up", "POST", "/api/v1/me/recovery", `{"email":"ada@new.example"}`, fresh, 403, "step_up_required", ""},
		{"remove recovery, no step-up", "DELETE", "/api/v1/me/recovery", "", fresh, 403, "step_up_required", ""},

		{"sign out everywhere without token", "POST", "/api/v1/me/sign-out-everywhere", "", "", 401, "unauthorized", ""},
		{"settings without token", "PUT", "/api/v1/me/settings", `{"code_sign_in":true}`, "", 401, "unauthorized", ""},
		{"change email without token", "POST", "/api/v1/me/email", `{"email":"ada@new.example"}`, "", 401, "unauthorized", ""},
		{"confirm without token", "POST", "/api/v1/me/addresses/" + f + "/verify", `{"code":"123456789"}`, "", 401, "unauthorized", ""},
	} {
		cases = append(cases, authed(tc.name, tc.method, tc.path, tc.body, tc.auth, tc.status, tc.code, tc.field))
	}
	refuses(t, r, cases)
}

// Invariant 8 for the password, reset, step-up and device endpoints:
// bad input is a 4xx naming the field at fault, never a 5xx.
func TestPasswordEndpointsRefuseBadInputClearly(t *testing.T) {
	r := webtest.New(t)
	token, _ := r.SignIn(t, "ada@example.com")
	bearer := "Bearer " + token
	var f struct {
		FlowID string `json:"flow_id"`
	}
	r.API(t, "POST", "/api/v1/password/forgot", `{"email":"ada@example.com"}`, "", http.StatusAccepted, &f)
	reset := func(fields string) string { return `{"flow_id":"` + f.FlowID + `",` + fields + `}` }
	var cases []refusal
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
		cases = append(cases, authed(tc.name, tc.method, tc.path, tc.body, tc.auth, tc.status, tc.code, tc.field))
	}
	refuses(t, r, cases)
}
