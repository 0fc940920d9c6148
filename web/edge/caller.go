package edge

import (
	"context"
	"net/http"
	"strings"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/signin"
)

// Authenticate is the one place a request's token is checked, for the API
// and the pages alike: once per request, however many engine methods the
// handler then calls with the Caller it returns.
func (e *Edge) Authenticate(ctx context.Context, token string) (signin.Caller, error) {
	return e.Engine.Authenticate(ctx, token)
}

// BearerCaller authenticates the bearer token of an API request. The API
// never takes the cookie: see bearer.
func (e *Edge) BearerCaller(r *http.Request) (signin.Caller, error) {
	token, err := bearer(r)
	if err != nil {
		return signin.Caller{}, err
	}
	return e.Authenticate(r.Context(), token)
}

// bearer returns the token of an "Authorization: Bearer" header. The API
// takes no cookie: a cookie rides along on cross-site requests, a header
// does not.
func bearer(r *http.Request) (string, error) {
	h := r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return "", otpd.Errorf(otpd.EUnauthorized, "send the session token as Authorization: Bearer TOKEN")
	}
	return strings.TrimSpace(token), nil
}
