package edge

import (
	"net/http"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/admin"
)

// AdminCaller authenticates the bearer token of an admin API request,
// once, as an admin token: a session token is refused here, as an admin
// token is by BearerCaller, since each is looked up only among its own
// kind. Without an admin service the admin API is not served.
func (e *Edge) AdminCaller(r *http.Request) (admin.Operator, error) {
	if e.Admin == nil {
		return admin.Operator{}, &otpd.Error{Code: otpd.ENotFound, Message: "the admin API is not served here"}
	}
	token, err := bearer(r)
	if err != nil {
		return admin.Operator{}, otpd.Errorf(otpd.EUnauthorized, "send an admin token as Authorization: Bearer TOKEN")
	}
	return e.Admin.Authenticate(r.Context(), token)
}
