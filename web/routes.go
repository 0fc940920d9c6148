package web

import "net/http"

type route struct {
	pattern string
	handler http.Handler
	// api marks routes documented in the OpenAPI document.
	api bool
}

// routes lists every route of the server in one place.
func (s *Server) routes() []route {
	api := func(pattern string, h func(http.ResponseWriter, *http.Request) error) route {
		return route{pattern: pattern, handler: s.apiHandler(h), api: true}
	}
	page := func(pattern string, h http.HandlerFunc) route {
		return route{pattern: pattern, handler: h}
	}
	rs := []route{
		api("POST /api/v1/sign-in", s.apiSignIn),
		api("POST /api/v1/flows/{flow_id}/resend", s.apiResend),
		api("POST /api/v1/flows/{flow_id}/verify", s.apiVerify),
		api("GET /api/v1/me", s.apiMe),
		api("GET /api/v1/me/activity", s.apiActivity),
		api("POST /api/v1/sign-out", s.apiSignOut),
		{pattern: "GET /api/v1/openapi.json", handler: http.HandlerFunc(serveOpenAPI)},

		page("GET /{$}", s.pageHome),
		page("POST /sign-in", s.pageSignIn),
		page("GET /flows/{flow_id}", s.pageFlow),
		page("POST /flows/{flow_id}/verify", s.pageVerify),
		page("POST /flows/{flow_id}/resend", s.pageResend),
		page("POST /sign-out", s.pageSignOut),
		page("GET /deny/{token}", s.pageDenyConfirm),
		page("POST /deny/{token}", s.pageDeny),
		{pattern: "GET /static/", handler: staticFiles()},
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
