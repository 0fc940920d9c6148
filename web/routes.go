package web

import (
	"net/http"
	"strings"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/web/pages"
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

// routes lists every route of the server in one place: the API's
// handlers (a), which return an error that apiHandler answers in JSON,
// and the pages' (p), whose posted forms are read by pages.Form first.
func (s *Server) routes() []route {
	a, p := s.api, s.pages
	api := func(pattern string, h func(http.ResponseWriter, *http.Request) error) route {
		return route{pattern: pattern, handler: s.apiHandler(h), api: true}
	}
	page := func(pattern string, h http.HandlerFunc) route {
		if strings.HasPrefix(pattern, "POST ") {
			h = p.Form(h)
		}
		return route{pattern: pattern, handler: h}
	}
	rs := []route{
		api("POST /api/v1/sign-in", a.SignIn),
		api("POST /api/v1/flows/{flow_id}/resend", a.Resend),
		api("POST /api/v1/flows/{flow_id}/verify", a.Verify),
		api("POST /api/v1/sign-in/password", a.PasswordSignIn),
		api("POST /api/v1/password/forgot", a.ForgotPassword),
		api("POST /api/v1/password/reset", a.ResetPassword),
		api("GET /api/v1/me", a.Me),
		api("GET /api/v1/me/activity", a.Activity),
		api("POST /api/v1/me/activity/{flow_id}/report", a.Report),
		api("GET /api/v1/me/campaigns", a.Campaigns),
		api("GET /api/v1/me/unused-codes", a.UnusedCodes),
		api("GET /api/v1/me/sessions", a.Sessions),
		api("DELETE /api/v1/me/sessions/{session_id}", a.EndSession),
		api("POST /api/v1/me/step-up", a.StepUp),
		api("POST /api/v1/me/step-up/{flow_id}/verify", a.VerifyStepUp),
		api("POST /api/v1/me/step-up/factor", a.StepUpFactor),
		api("POST /api/v1/flows/{flow_id}/factor", a.VerifyFactor),
		api("GET /api/v1/me/methods", a.Methods),
		api("POST /api/v1/me/methods/recovery-codes", a.NewRecoveryCodes),
		api("POST /api/v1/me/methods/totp", a.StartTOTP),
		api("POST /api/v1/me/methods/totp/confirm", a.ConfirmTOTP),
		api("DELETE /api/v1/me/methods/totp", a.RemoveMethod(otpd.MethodTOTP)),
		api("DELETE /api/v1/me/methods/recovery-codes", a.RemoveMethod(otpd.MethodRecoveryCodes)),
		api("PUT /api/v1/me/password", a.SetPassword),
		api("DELETE /api/v1/me/password", a.RemovePassword),
		api("GET /api/v1/me/devices", a.Devices),
		api("DELETE /api/v1/me/devices/{device_id}", a.ForgetDevice),
		api("GET /api/v1/me/apps", a.Apps),
		api("DELETE /api/v1/me/apps/{client_id}", a.RemoveApp),
		api("POST /api/v1/me/sign-out-everywhere", a.SignOutEverywhere),
		api("PUT /api/v1/me/settings", a.SetSettings),
		api("PUT /api/v1/me/language", a.SetLanguage),
		api("POST /api/v1/me/email", a.ChangeEmail),
		api("POST /api/v1/me/recovery", a.AddRecovery),
		api("DELETE /api/v1/me/recovery", a.RemoveRecovery),
		api("POST /api/v1/me/addresses/{flow_id}/verify", a.ConfirmAddress),
		api("POST /api/v1/sign-out", a.SignOut),
		api("GET /api/v1/admin/accounts", a.AdminAccounts),
		api("GET /api/v1/admin/accounts/{account}", a.AdminAccount),
		api("DELETE /api/v1/admin/accounts/{account}", a.AdminDelete),
		api("POST /api/v1/admin/accounts/{account}/disable", a.AdminDisable),
		api("POST /api/v1/admin/accounts/{account}/enable", a.AdminEnable),
		api("GET /api/v1/admin/accounts/{account}/export", a.AdminExport),
		api("POST /api/v1/admin/accounts/{account}/sign-out", a.AdminSignOut),
		api("POST /api/v1/admin/accounts/{account}/unlock", a.AdminUnlock),
		api("POST /api/v1/check/reference", a.CheckReference),
		api("POST /api/v1/check/message", a.CheckMessage),
		api("GET /auth/forward", s.forwardAuth),
		{pattern: "GET /api/v1/openapi.json", handler: http.HandlerFunc(serveOpenAPI)},
		{pattern: "GET /healthz", handler: http.HandlerFunc(s.serveHealthz), api: true},
		{pattern: "GET /readyz", handler: http.HandlerFunc(s.serveReadyz), api: true},

		page("GET /{$}", p.Home),
		page("POST /sign-in", p.SignIn),
		page("POST /sign-in/password", p.PasswordSignIn),
		page("GET /flows/{flow_id}", p.CodePage(pages.SignInCodes)),
		page("POST /flows/{flow_id}/verify", p.Verify),
		page("POST /flows/{flow_id}/resend", p.ResendTo(pages.SignInCodes)),
		page("GET /password/forgot", p.Forgot),
		page("POST /password/forgot", p.ForgotSend),
		page("GET /password/reset/{flow_id}", p.CodePage(pages.ResetCodes)),
		page("POST /password/reset/{flow_id}", p.Reset),
		page("POST /password/reset/{flow_id}/resend", p.ResendTo(pages.ResetCodes)),
		page("GET /step-up", p.StepUp),
		page("POST /step-up", p.StepUpSend),
		page("GET /step-up/{flow_id}", p.CodePage(pages.StepUpCodes)),
		page("POST /step-up/{flow_id}/verify", p.StepUpVerify),
		page("POST /step-up/{flow_id}/resend", p.ResendTo(pages.StepUpCodes)),
		page("GET /step-up/factor", p.StepUpFactorPage),
		page("POST /step-up/factor", p.StepUpFactor),
		page("GET /flows/{flow_id}/factor", p.CodePage(pages.FactorCodes)),
		page("POST /flows/{flow_id}/factor", p.VerifyFactor),
		page("GET /account/methods", p.Methods),
		page("GET /account/methods/recovery-codes", p.RecoveryCodesConfirm),
		page("POST /account/methods/recovery-codes", p.NewRecoveryCodes),
		page("GET /account/methods/recovery-codes/remove", p.RemoveMethodConfirm(otpd.MethodRecoveryCodes)),
		page("POST /account/methods/recovery-codes/remove", p.RemoveMethod(otpd.MethodRecoveryCodes)),
		page("GET /account/methods/authenticator", p.TOTP),
		page("POST /account/methods/authenticator", p.ConfirmTOTP),
		page("GET /account/methods/authenticator/qr", p.TOTPCode),
		page("GET /account/methods/authenticator/remove", p.RemoveMethodConfirm(otpd.MethodTOTP)),
		page("POST /account/methods/authenticator/remove", p.RemoveMethod(otpd.MethodTOTP)),
		page("GET /account/password", p.Password),
		page("POST /account/password", p.SetPassword),
		page("GET /account/password/remove", p.RemoveConfirm(pages.RemovePassword)),
		page("POST /account/password/remove", p.Remove(pages.RemovePassword)),
		page("GET /account/email", p.Address(pages.ChangeEmailForm)),
		page("POST /account/email", p.AddressSend(pages.ChangeEmailForm)),
		page("GET /account/recovery", p.Address(pages.RecoveryForm)),
		page("POST /account/recovery", p.AddressSend(pages.RecoveryForm)),
		page("GET /account/recovery/remove", p.RemoveConfirm(pages.RemoveRecovery)),
		page("POST /account/recovery/remove", p.Remove(pages.RemoveRecovery)),
		page("GET /account/addresses/{flow_id}", p.CodePage(pages.AddressCodes)),
		page("POST /account/addresses/{flow_id}/verify", p.AddressVerify),
		page("POST /account/addresses/{flow_id}/resend", p.ResendTo(pages.AddressCodes)),
		page("GET /account/activity", p.Activity),
		page("GET /account/activity/{flow_id}/report", p.ReportConfirm),
		page("POST /account/activity/{flow_id}/report", p.Report),
		page("GET /account/sessions", p.Sessions),
		page("POST /account/sessions/{session_id}/sign-out", p.EndSession),
		page("GET /account/apps", p.Apps),
		page("GET /account/apps/{client_id}/remove", p.RemoveAppConfirm),
		page("POST /account/apps/{client_id}/remove", p.RemoveApp),
		page("GET /account/code-sign-in", p.CodeSignIn),
		page("POST /account/code-sign-in", p.SetCodeSignIn),
		page("POST /account/language", p.SetLanguage),
		page("GET /account/sign-out-everywhere", p.SignOutEverywhereConfirm),
		page("POST /account/sign-out-everywhere", p.SignOutEverywhere),
		page("POST /devices/{device_id}/forget", p.ForgetDevice),
		page("POST /sign-out", p.SignOut),
		page("GET /check", p.Check),
		page("POST /check/reference", p.CheckReference),
		// A raw message is larger than Form's bound: the page reads its
		// form itself, bounded by the checker's limit.
		{pattern: "POST /check/message", handler: http.HandlerFunc(p.CheckMessage)},
		page("GET /deny/{token}", p.DenyConfirm),
		page("POST /deny/{token}", p.Deny),
		{pattern: "GET /static/", handler: p.StaticFiles()},
		page("/", s.pageNotFound),
	}
	if s.oidc != nil {
		rs = append(rs, s.oidcRoutes()...)
	}
	if s.devMailbox {
		rs = append(rs,
			page("GET /dev/mailbox", p.Mailbox),
			page("GET /dev/mailbox/raw", p.RawMessage),
			api("GET /dev/mailbox/api/messages", a.Mailbox),
		)
	}
	return rs
}

// providerRoutes are the OpenID Connect provider's own endpoints: the
// library answers them (oidcop), after its checks, in the protocol's
// JSON or by redirecting to the app.
var providerRoutes = []string{
	"GET /.well-known/openid-configuration", "GET /oauth2/authorize", "POST /oauth2/authorize",
	callbackRoute, "POST /oauth2/token", "GET /oauth2/userinfo", "POST /oauth2/userinfo",
	"POST /oauth2/revoke", "POST /oauth2/introspect", "GET /oauth2/keys",
	// Preflights of single-page apps on other origins (oidcop.CORSPaths).
	"OPTIONS /.well-known/openid-configuration", "OPTIONS /oauth2/keys", "OPTIONS /oauth2/token",
	"OPTIONS /oauth2/userinfo", "OPTIONS /oauth2/revoke",
}

// callbackRoute is the provider's callback, which gives the app its code:
// the pages guard it (pages.Callback).
const callbackRoute = "GET /oauth2/authorize/callback"

// oidcRoutes are the provider's endpoints and otpd's pages on the way
// of a sign-in to an app: the continue page with its consent, and
// signing out from an app.
func (s *Server) oidcRoutes() []route {
	p := s.pages
	rs := make([]route, 0, len(providerRoutes)+4)
	for _, pattern := range providerRoutes {
		h := s.oidc
		if pattern == callbackRoute {
			// Only the browser that completed the request gets its code.
			h = p.Callback(h)
		}
		rs = append(rs, route{pattern: pattern, handler: h})
	}
	return append(rs,
		route{pattern: "GET /oauth2/continue/{authz_id}", handler: http.HandlerFunc(p.Continue)},
		route{pattern: "POST /oauth2/continue/{authz_id}", handler: p.Form(p.Consent)},
		route{pattern: "GET /oauth2/end-session", handler: http.HandlerFunc(p.EndSessionFromApp)},
		route{pattern: "POST /oauth2/end-session", handler: p.Form(p.EndSessionFromApp)},
	)
}

// apiHandler adapts a handler that returns an error into one that answers
// it as JSON.
func (s *Server) apiHandler(h func(http.ResponseWriter, *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.edge.WriteError(w, r, err)
		}
	})
}

// forwardAuth answers a reverse proxy's question about a request to an
// app behind it (web/forward), or 404 when forward auth is off.
func (s *Server) forwardAuth(w http.ResponseWriter, r *http.Request) error {
	if s.forward == nil {
		return &otpd.Error{Code: otpd.ENotFound, Message: "forward auth is off; see [forward_auth] in the configuration"}
	}
	return s.forward.Check(w, r)
}

// AuthorizeError shows an authorization request that cannot go back to
// its app (oidcop.Options.AuthorizeError) on the error page: the field
// it names, and a 400.
func (s *Server) AuthorizeError(w http.ResponseWriter, r *http.Request, err error) {
	s.pages.ShowError(w, r, "title.app_link_broken", err)
}
