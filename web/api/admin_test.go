package api_test

import (
	"strings"
	"testing"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/web/webtest"
)

// Invariant 8 for the admin API: bad input is a 4xx naming the field at
// fault, a session token is no admin token (nor the reverse), a read
// token changes nothing, and an unknown account is a 404 naming it.
func TestAdminEndpointsRefuseBadInputClearly(t *testing.T) {
	r := webtest.New(t)
	session, _ := r.SignIn(t, "ada@example.com")
	read := "Bearer " + r.AdminToken(t, otpd.ScopeAdminRead)
	write := "Bearer " + r.AdminToken(t, otpd.ScopeAdminWrite)
	accounts := "/api/v1/admin/accounts"
	ada := accounts + "/ada@example.com"
	refuses(t, r, []refusal{
		authed("no token", "GET", accounts, "", "", 401, "unauthorized", ""),
		authed("session token", "GET", accounts, "", "Bearer "+session, 401, "unauthorized", ""),
		authed("admin token as a session", "GET", "/api/v1/me", "", write, 401, "unauthorized", ""),
		authed("admin token forged", "GET", accounts, "", "Bearer otpd_admin_"+strings.Repeat("A", 43), 401, "unauthorized", ""),
		authed("admin token junk", "GET", accounts, "", "Bearer otpd_admin_"+strings.Repeat("\xff", 43), 401, "unauthorized", ""),
		authed("state", "GET", accounts+"?state=sleeping", "", read, 400, "invalid_request", "state"),
		authed("limit letters", "GET", accounts+"?limit=ten", "", read, 400, "invalid_request", "limit"),
		authed("limit zero", "GET", accounts+"?limit=0", "", read, 400, "invalid_request", "limit"),
		authed("limit huge", "GET", accounts+"?limit=100000", "", read, 400, "invalid_request", "limit"),
		authed("after NUL", "GET", accounts+"?after=%00", "", read, 400, "invalid_request", "after"),
		authed("after invalid UTF-8", "GET", accounts+"?after=%ff", "", read, 400, "invalid_request", "after"),
		authed("unknown account", "GET", accounts+"/nobody@example.com", "", read, 404, "not_found", "account"),
		authed("unknown ID", "GET", accounts+"/abcdefghijklmnop", "", read, 404, "not_found", "account"),
		authed("not an address", "GET", accounts+"/a@b@c", "", read, 400, "invalid_request", "account"),
		authed("read disables", "POST", ada+"/disable", "", read, 403, "forbidden", ""),
		authed("read deletes", "DELETE", ada, "", read, 403, "forbidden", ""),
		authed("read signs out", "POST", ada+"/sign-out", "", read, 403, "forbidden", ""),
		authed("read unlocks", "POST", ada+"/unlock", "", read, 403, "forbidden", ""),
		authed("read enables", "POST", ada+"/enable", "", read, 403, "forbidden", ""),
		authed("write, unknown", "POST", accounts+"/nobody@example.com/disable", "", write, 404, "not_found", "account"),
		authed("wrong method", "PUT", ada, "", write, 405, "method_not_allowed", ""),
	})
	// The refused calls changed nothing: the session still works.
	r.API(t, "GET", "/api/v1/me", "", session, 200, nil)
}
