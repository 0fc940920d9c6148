package web

import (
	"net/http"
	"strings"

	"github.com/otpd/otpd/signin"
)

type route struct {
	pattern string
	handler http.Handler
	// api marks routes documented in the OpenAPI document.
	api bool
}

// Patterns returns the ServeMux pattern of every route s serves, from the
// table its Handler is built from: a test that must reach every route
// takes them from here, so that a new route cannot be left out.
func (s *Server) Patterns() []string {
	var ps []string
	for _, rt := range s.routes() {
		ps = append(ps, rt.pattern)
	}
	return ps
}

// routes lists every route of the server in one place.
func (s *Server) routes() []route {
	api := func(pattern string, h func(http.ResponseWriter, *http.Request) error) route {
		return route{pattern: pattern, handler: s.apiHandler(h), api: true}
	}
	page := func(pattern string, h http.HandlerFunc) route {
		if strings.HasPrefix(pattern, "POST ") {
			h = s.form(h)
		}
		return route{pattern: pattern, handler: h}
	}
	rs := []route{
		api("POST /api/v1/sign-in", s.apiSignIn),
		api("POST /api/v1/flows/{flow_id}/resend", s.apiResend),
		api("POST /api/v1/flows/{flow_id}/verify", s.apiVerify),
		api("POST /api/v1/sign-in/password", s.apiPasswordSignIn),
		api("POST /api/v1/password/forgot", s.apiForgotPassword),
		api("POST /api/v1/password/reset", s.apiResetPassword),
		api("GET /api/v1/me", s.apiMe),
		api("GET /api/v1/me/activity", s.apiActivity),
		api("POST /api/v1/me/activity/{flow_id}/report", s.apiReport),
		api("GET /api/v1/me/campaigns", s.apiCampaigns),
		api("GET /api/v1/me/unused-codes", s.apiUnusedCodes),
		api("GET /api/v1/me/sessions", s.apiSessions),
		api("DELETE /api/v1/me/sessions/{session_id}", s.apiEndSession),
		api("POST /api/v1/me/step-up", s.apiStepUp),
		api("POST /api/v1/me/step-up/{flow_id}/verify", s.apiVerifyStepUp),
		api("PUT /api/v1/me/password", s.apiSetPassword),
		api("DELETE /api/v1/me/password", s.apiRemovePassword),
		api("GET /api/v1/me/devices", s.apiDevices),
		api("DELETE /api/v1/me/devices/{device_id}", s.apiForgetDevice),
		api("POST /api/v1/me/sign-out-everywhere", s.apiSignOutEverywhere),
		api("PUT /api/v1/me/settings", s.apiSetSettings),
		api("POST /api/v1/me/email", s.apiNewAddress((*signin.Engine).ChangeEmail)),
		api("POST /api/v1/me/recovery", s.apiNewAddress((*signin.Engine).AddRecovery)),
		api("DELETE /api/v1/me/recovery", s.apiRemoveRecovery),
		api("POST /api/v1/me/addresses/{flow_id}/verify", s.apiConfirmAddress),
		api("POST /api/v1/sign-out", s.apiSignOut),
		{pattern: "GET /api/v1/openapi.json", handler: http.HandlerFunc(serveOpenAPI)},
		{pattern: "GET /metrics", handler: http.HandlerFunc(s.serveMetrics)},

		page("GET /{$}", s.pageHome),
		page("POST /sign-in", s.pageSignIn),
		page("POST /sign-in/password", s.pagePasswordSignIn),
		page("GET /flows/{flow_id}", s.codePage(signInCodes)),
		page("POST /flows/{flow_id}/verify", s.pageVerify),
		page("POST /flows/{flow_id}/resend", s.resendTo(signInCodes)),
		page("GET /password/forgot", s.pageForgot),
		page("POST /password/forgot", s.pageForgotSend),
		page("GET /password/reset/{flow_id}", s.codePage(resetCodes)),
		page("POST /password/reset/{flow_id}", s.pageReset),
		page("POST /password/reset/{flow_id}/resend", s.resendTo(resetCodes)),
		page("GET /step-up", s.pageStepUp),
		page("POST /step-up", s.pageStepUpSend),
		page("GET /step-up/{flow_id}", s.codePage(stepUpCodes)),
		page("POST /step-up/{flow_id}/verify", s.pageStepUpVerify),
		page("POST /step-up/{flow_id}/resend", s.resendTo(stepUpCodes)),
		page("GET /account/password", s.pagePassword),
		page("POST /account/password", s.pageSetPassword),
		page("GET /account/password/remove", s.pageRemoveConfirm(removePassword)),
		page("POST /account/password/remove", s.pageRemove(removePassword)),
		page("GET /account/email", s.pageAddress(changeEmailForm)),
		page("POST /account/email", s.pageAddressSend(changeEmailForm)),
		page("GET /account/recovery", s.pageAddress(recoveryForm)),
		page("POST /account/recovery", s.pageAddressSend(recoveryForm)),
		page("GET /account/recovery/remove", s.pageRemoveConfirm(removeRecovery)),
		page("POST /account/recovery/remove", s.pageRemove(removeRecovery)),
		page("GET /account/addresses/{flow_id}", s.codePage(addressCodes)),
		page("POST /account/addresses/{flow_id}/verify", s.pageAddressVerify),
		page("POST /account/addresses/{flow_id}/resend", s.resendTo(addressCodes)),
		page("GET /account/activity", s.pageActivity),
		page("GET /account/activity/{flow_id}/report", s.pageReportConfirm),
		page("POST /account/activity/{flow_id}/report", s.pageReport),
		page("GET /account/sessions", s.pageSessions),
		page("POST /account/sessions/{session_id}/sign-out", s.pageEndSession),
		page("GET /account/code-sign-in", s.pageCodeSignIn),
		page("POST /account/code-sign-in", s.pageSetCodeSignIn),
		page("GET /account/sign-out-everywhere", s.pageSignOutEverywhereConfirm),
		page("POST /account/sign-out-everywhere", s.pageSignOutEverywhere),
		page("POST /devices/{device_id}/forget", s.pageForgetDevice),
		page("POST /sign-out", s.pageSignOut),
		page("GET /deny/{token}", s.pageDenyConfirm),
		page("POST /deny/{token}", s.pageDeny),
		{pattern: "GET /static/", handler: s.staticFiles()},
		page("/", s.pageNotFound),
	}
	if s.mailbox != nil {
		rs = append(rs,
			page("GET /dev/mailbox", s.pageMailbox),
			page("GET /dev/mailbox/raw", s.rawMessage),
			api("GET /dev/mailbox/api/messages", s.apiMailbox),
		)
	}
	return rs
}
