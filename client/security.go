package client

import (
	"context"
	"net/http"
	"net/url"
	"time"
)

// What the owner of an account looks at after a code they did not ask
// for: the activity, the codes nobody used, floods, and the sessions.

// Kinds of activity, for ActivityOfKind.
const (
	KindSignIns = "sign-ins"
	KindCodes   = "codes"
	KindChanges = "changes"
	KindDevices = "devices"
	KindReports = "reports"
)

// Activity returns the signed-in account's newest events, newest first.
func (c *Client) Activity(ctx context.Context) ([]Event, error) {
	return c.ActivityOfKind(ctx, "")
}

// ActivityOfKind returns the account's newest events of one kind (one of
// the Kind constants), newest first; "" is every kind.
func (c *Client) ActivityOfKind(ctx context.Context, kind string) ([]Event, error) {
	path := "/api/v1/me/activity"
	if kind != "" {
		path += "?" + url.Values{"kind": {kind}}.Encode()
	}
	var out struct {
		Events []Event `json:"events"`
	}
	err := c.do(ctx, http.MethodGet, path, nil, &out)
	return out.Events, err
}

// Report is the answer to ReportFlow: the reported code as it is after
// the report.
type Report struct {
	FlowID  string `json:"flow_id"`
	Purpose string `json:"purpose"`
	// Status is "denied" when the report cancelled the code, "used" when
	// someone had used it before.
	Status      string    `json:"status"`
	RequestedAt time.Time `json:"requested_at"`
	IP          string    `json:"ip"`
	UserAgent   string    `json:"user_agent"`
}

// ReportFlow is "This wasn't me" for a code request of the account, by
// the FlowID of its event: the code is cancelled, every session started
// from the request's IP since is signed out, and the account's guard is
// raised.
func (c *Client) ReportFlow(ctx context.Context, flowID string) (Report, error) {
	var r Report
	err := c.do(ctx, http.MethodPost, "/api/v1/me/activity/"+url.PathEscape(flowID)+"/report", nil, &r)
	return r, err
}

// Campaign is a flood of code requests for the account from scattered
// networks.
type Campaign struct {
	StartedAt time.Time `json:"started_at"`
	LastAt    time.Time `json:"last_at"`
	Until     time.Time `json:"until"`
	Requests  int       `json:"requests"`
	Places    []string  `json:"places"`
}

// Campaigns lists the floods the account has been under, newest first.
func (c *Client) Campaigns(ctx context.Context) ([]Campaign, error) {
	var out struct {
		Campaigns []Campaign `json:"campaigns"`
	}
	err := c.do(ctx, http.MethodGet, "/api/v1/me/campaigns", nil, &out)
	return out.Campaigns, err
}

// UnusedCode is a code asked for the account's address that was never
// used.
type UnusedCode struct {
	At      time.Time `json:"at"`
	Purpose string    `json:"purpose"`
	// Status is expired, exhausted, superseded, denied, or pending while
	// the code still works.
	Status    string `json:"status"`
	IP        string `json:"ip"`
	Place     string `json:"place"`
	UserAgent string `json:"user_agent"`
}

// UnusedCodes lists the codes asked for since the sign-in before the last
// that were never used, newest first.
func (c *Client) UnusedCodes(ctx context.Context) ([]UnusedCode, error) {
	var out struct {
		Codes []UnusedCode `json:"codes"`
	}
	err := c.do(ctx, http.MethodGet, "/api/v1/me/unused-codes", nil, &out)
	return out.Codes, err
}

// Session is one of the account's active sessions.
type Session struct {
	ID         string    `json:"id"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	IP         string    `json:"ip"`
	Place      string    `json:"place"`
	UserAgent  string    `json:"user_agent"`
	Device     string    `json:"device"`
	// Current marks the session of c.Token.
	Current bool `json:"current"`
}

// Sessions lists the account's active sessions, newest first.
func (c *Client) Sessions(ctx context.Context) ([]Session, error) {
	var out struct {
		Sessions []Session `json:"sessions"`
	}
	err := c.do(ctx, http.MethodGet, "/api/v1/me/sessions", nil, &out)
	return out.Sessions, err
}

// EndSession signs out one session of the account; it needs no step-up.
func (c *Client) EndSession(ctx context.Context, id string) error {
	return c.do(ctx, http.MethodDelete, "/api/v1/me/sessions/"+url.PathEscape(id), nil, nil)
}
