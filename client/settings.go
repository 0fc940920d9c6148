package client

import (
	"context"
	"net/http"
)

// SetCodeSignIn turns code-only sign-in on or off. Off, a code alone
// never signs in: SignIn sends nothing, and a password needs a code as
// well. It needs a recent step-up, and a password to turn it off.
func (c *Client) SetCodeSignIn(ctx context.Context, on bool) error {
	return c.do(ctx, http.MethodPut, "/api/v1/me/settings", map[string]bool{"code_sign_in": on}, nil)
}

// SetLanguage chooses the language of the account's pages and emails: a
// tag of the server's catalogue ("de"), or "" to forget the choice.
func (c *Client) SetLanguage(ctx context.Context, tag string) error {
	return c.do(ctx, http.MethodPut, "/api/v1/me/language", map[string]string{"language": tag}, nil)
}

// SignOutEverywhere ends every session of the account but this one and
// returns how many ended. It needs a recent step-up.
func (c *Client) SignOutEverywhere(ctx context.Context) (int, error) {
	var out struct {
		Ended int `json:"ended"`
	}
	err := c.do(ctx, http.MethodPost, "/api/v1/me/sign-out-everywhere", nil, &out)
	return out.Ended, err
}
