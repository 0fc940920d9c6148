package client

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// The admin API takes an admin token (otpd admin-tokens create) as the
// client's Token, never a session token.

// AdminAccount is an account as the admin API shows it.
type AdminAccount struct {
	ID            string     `json:"id"`
	Email         string     `json:"email"`
	State         string     `json:"state"`
	CreatedAt     time.Time  `json:"created_at"`
	DisabledAt    *time.Time `json:"disabled_at"`
	PasswordSet   bool       `json:"password_set"`
	RecoveryEmail string     `json:"recovery_email"`
	LastSignInAt  *time.Time `json:"last_sign_in_at"`
	// Changed, after disable or enable, is false when the account was
	// in that state already.
	Changed bool `json:"changed"`
}

// AdminAccounts lists a page of accounts in state ("" for all), at most
// limit (0 for the server's default), after the account ID after; next
// is the after of the next page, "" on the last.
func (c *Client) AdminAccounts(ctx context.Context, state string, limit int, after string) (accounts []AdminAccount, next string, err error) {
	q := url.Values{}
	if state != "" {
		q.Set("state", state)
	}
	if limit != 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	if after != "" {
		q.Set("after", after)
	}
	var out struct {
		Accounts []AdminAccount `json:"accounts"`
		Next     string         `json:"next"`
	}
	err = c.do(ctx, http.MethodGet, "/api/v1/admin/accounts?"+q.Encode(), nil, &out)
	return out.Accounts, out.Next, err
}

func adminPath(account string, action string) string {
	p := "/api/v1/admin/accounts/" + url.PathEscape(account)
	if action != "" {
		p += "/" + action
	}
	return p
}

// AdminAccount shows the account named by its ID or address.
func (c *Client) AdminAccount(ctx context.Context, account string) (AdminAccount, error) {
	var a AdminAccount
	err := c.do(ctx, http.MethodGet, adminPath(account, ""), nil, &a)
	return a, err
}

// AdminDisable disables an account.
func (c *Client) AdminDisable(ctx context.Context, account string) (AdminAccount, error) {
	var a AdminAccount
	err := c.do(ctx, http.MethodPost, adminPath(account, "disable"), nil, &a)
	return a, err
}

// AdminEnable enables a disabled account.
func (c *Client) AdminEnable(ctx context.Context, account string) (AdminAccount, error) {
	var a AdminAccount
	err := c.do(ctx, http.MethodPost, adminPath(account, "enable"), nil, &a)
	return a, err
}

// AdminUnlock clears what holds an account's sign-ins back.
func (c *Client) AdminUnlock(ctx context.Context, account string) (AdminAccount, error) {
	var a AdminAccount
	err := c.do(ctx, http.MethodPost, adminPath(account, "unlock"), nil, &a)
	return a, err
}

// AdminSignOut ends every session of an account and says how many.
func (c *Client) AdminSignOut(ctx context.Context, account string) (int, error) {
	var out struct {
		N int `json:"sessions_ended"`
	}
	err := c.do(ctx, http.MethodPost, adminPath(account, "sign-out"), nil, &out)
	return out.N, err
}

// AdminDelete erases an account.
func (c *Client) AdminDelete(ctx context.Context, account string) error {
	return c.do(ctx, http.MethodDelete, adminPath(account, ""), nil, nil)
}

// AdminExport returns everything kept about an account, as the JSON
// document the server sends.
func (c *Client) AdminExport(ctx context.Context, account string) (json.RawMessage, error) {
	var raw json.RawMessage
	err := c.do(ctx, http.MethodGet, adminPath(account, "export"), nil, &raw)
	return raw, err
}
