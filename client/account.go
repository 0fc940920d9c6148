package client

import (
	"context"
	"net/http"
	"net/url"
	"time"
)

// SteppedUp is the answer to a verified step-up code: the session may
// make sensitive changes until ValidUntil.
type SteppedUp struct {
	SteppedUpAt time.Time `json:"stepped_up_at"`
	ValidUntil  time.Time `json:"valid_until"`
}

// StepUp asks for a code to the signed-in account's address, which
// VerifyStepUp then checks in this session.
func (c *Client) StepUp(ctx context.Context) (Flow, error) {
	var f Flow
	err := c.do(ctx, http.MethodPost, "/api/v1/me/step-up", nil, &f)
	return f, err
}

// VerifyStepUp submits a step-up code in the session of c.Token.
func (c *Client) VerifyStepUp(ctx context.Context, flowID, code string) (SteppedUp, error) {
	var s SteppedUp
	err := c.do(ctx, http.MethodPost, "/api/v1/me/step-up/"+url.PathEscape(flowID)+"/verify", map[string]string{"code": code}, &s)
	return s, err
}

// Device is one of the account's remembered devices.
type Device struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	FirstSeen time.Time `json:"first_seen"`
	LastSeen  time.Time `json:"last_seen"`
	LastIP    string    `json:"last_ip"`
	LastPlace string    `json:"last_place"`
	// Current marks the device this session signed in on.
	Current bool `json:"current"`
}

// Devices lists the signed-in account's remembered devices, last seen
// first.
func (c *Client) Devices(ctx context.Context) ([]Device, error) {
	var out struct {
		Devices []Device `json:"devices"`
	}
	err := c.do(ctx, http.MethodGet, "/api/v1/me/devices", nil, &out)
	return out.Devices, err
}

// ForgetDevice forgets one of the account's remembered devices.
func (c *Client) ForgetDevice(ctx context.Context, id string) error {
	return c.do(ctx, http.MethodDelete, "/api/v1/me/devices/"+url.PathEscape(id), nil, nil)
}

// App is an app the account let sign it in with OpenID Connect.
type App struct {
	ClientID  string    `json:"client_id"`
	Name      string    `json:"name"`
	Scopes    []string  `json:"scopes"`
	LogoURL   string    `json:"logo_url"`
	GrantedAt time.Time `json:"granted_at"`
	// LastUsedAt is nil when the app has not used its access since.
	LastUsedAt *time.Time `json:"last_used_at"`
}

// Apps lists the apps the signed-in account let sign it in, first
// granted first.
func (c *Client) Apps(ctx context.Context) ([]App, error) {
	var out struct {
		Apps []App `json:"apps"`
	}
	err := c.do(ctx, http.MethodGet, "/api/v1/me/apps", nil, &out)
	return out.Apps, err
}

// RemoveApp removes an app's access to the account, which ends every
// token it holds for it.
func (c *Client) RemoveApp(ctx context.Context, clientID string) error {
	return c.do(ctx, http.MethodDelete, "/api/v1/me/apps/"+url.PathEscape(clientID), nil, nil)
}
