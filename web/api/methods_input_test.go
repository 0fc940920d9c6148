package api_test

import (
	"testing"

	"github.com/otpd/otpd/web/webtest"
)

// Invariant 8 for the methods' endpoints: bad input is a 4xx naming the
// field at fault, every change without a step-up is a 403, and a factor
// is refused for a flow that no password began.
func TestMethodEndpointsRefuseBadInputClearly(t *testing.T) {
	r := webtest.New(t)
	token, _ := r.SignIn(t, "ada@example.com")
	fresh := "Bearer " + token
	stepped, _ := r.SignIn(t, "ada@example.com")
	r.StepUp(t, stepped, "ada@example.com")
	up := "Bearer " + stepped
	codeOnly := "/api/v1/flows/" + r.Flow(t, "ada@example.com") + "/factor"
	var cases []refusal
	for _, tc := range []struct {
		name, method, path, body, auth string
		status                         int
		code, field                    string
	}{
		{"factor method missing", "POST", codeOnly, `{"code":"123456"}`, "", 400, "invalid_request", "method"},
		{"factor code missing", "POST", codeOnly, `{"method":"totp"}`, "", 400, "invalid_request", "code"},
		{"factor unknown method", "POST", codeOnly, `{"method":"sms","code":"123456"}`, "", 400, "invalid_request", "method"},
		{"factor malformed totp", "POST", codeOnly, `{"method":"totp","code":"12345"}`, "", 400, "invalid_request", "code"},
		{"factor malformed recovery code", "POST", codeOnly, `{"method":"recovery_codes","code":"ABC"}`, "", 400, "invalid_request", "code"},
		{"factor for a code-only flow", "POST", codeOnly, `{"method":"totp","code":"123456"}`, "", 400, "invalid_request", "flow_id"},
		{"factor unknown flow", "POST", "/api/v1/flows/nosuch/factor", `{"method":"totp","code":"123456"}`, "", 404, "not_found", "flow_id"},
		{"step-up factor without token", "POST", "/api/v1/me/step-up/factor", `{"method":"totp","code":"123456"}`, "", 401, "unauthorized", ""},
		{"step-up factor unknown method", "POST", "/api/v1/me/step-up/factor", `{"method":"passkey","code":"1"}`, fresh, 400, "invalid_request", "method"},
		{"step-up factor not a string", "POST", "/api/v1/me/step-up/factor", `{"method":"totp","code":123456}`, fresh, 400, "invalid_request", "code"},
		{"step-up factor, no app", "POST", "/api/v1/me/step-up/factor", `{"method":"totp","code":"123456"}`, fresh, 400, "invalid_code", "code"},

		{"methods without token", "GET", "/api/v1/me/methods", "", "", 401, "unauthorized", ""},
		{"recovery codes, no step-up", "POST", "/api/v1/me/methods/recovery-codes", "", fresh, 403, "step_up_required", ""},
		{"start app, no step-up", "POST", "/api/v1/me/methods/totp", "", fresh, 403, "step_up_required", ""},
		{"remove app, no step-up", "DELETE", "/api/v1/me/methods/totp", "", fresh, 403, "step_up_required", ""},
		{"remove codes, no step-up", "DELETE", "/api/v1/me/methods/recovery-codes", "", fresh, 403, "step_up_required", ""},
		{"remove no app", "DELETE", "/api/v1/me/methods/totp", "", up, 404, "not_found", "method"},
		{"remove no codes", "DELETE", "/api/v1/me/methods/recovery-codes", "", up, 404, "not_found", "method"},
		{"confirm enrolment missing", "POST", "/api/v1/me/methods/totp/confirm", `{"code":"123456"}`, up, 400, "invalid_request", "enrolment"},
		{"confirm code missing", "POST", "/api/v1/me/methods/totp/confirm", `{"enrolment":"x"}`, up, 400, "invalid_request", "code"},
		{"confirm forged enrolment", "POST", "/api/v1/me/methods/totp/confirm", `{"enrolment":"%%%","code":"123456"}`, up, 400, "invalid_request", "enrolment"},
		{"confirm, no step-up", "POST", "/api/v1/me/methods/totp/confirm", `{"enrolment":"x","code":"123456"}`, fresh, 403, "step_up_required", ""},
		{"methods wrong method", "PUT", "/api/v1/me/methods", "", fresh, 405, "method_not_allowed", ""},
	} {
		cases = append(cases, authed(tc.name, tc.method, tc.path, tc.body, tc.auth, tc.status, tc.code, tc.field))
	}
	refuses(t, r, cases)
}
