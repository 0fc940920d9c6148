// Package client calls the otpd JSON API. The server's own black-box tests
// use it, and so can any Go program that signs people in through otpd.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Client talks to one otpd server. Set Token to act as a signed-in account,
// and DeviceToken to act as one of its remembered devices. A Client is
// safe for concurrent use as long as Token and DeviceToken are not changed.
type Client struct {
	BaseURL string
	HTTP    *http.Client
	Token   string
	// DeviceToken is sent as the device cookie, as a browser would send
	// it; take it from SignedIn.DeviceToken.
	DeviceToken string
}

// deviceCookie is the cookie that names a remembered device.
const deviceCookie = "otpd_device"

// New returns a Client for the server at baseURL, such as
// "http://127.0.0.1:8080".
func New(baseURL string) *Client {
	return &Client{BaseURL: strings.TrimSuffix(baseURL, "/"), HTTP: &http.Client{Timeout: 30 * time.Second}}
}

// Error is an error answer from the server.
type Error struct {
	Status       int
	Code         string `json:"code"`
	Message      string `json:"message"`
	Field        string `json:"field"`
	AttemptsLeft *int   `json:"attempts_left"`
	RetryAfter   int    `json:"retry_after"`
	// RetryAfterHeader is the Retry-After header, if any.
	RetryAfterHeader string
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("otpd: %d %s: %s (field %s)", e.Status, e.Code, e.Message, e.Field)
	}
	return fmt.Sprintf("otpd: %d %s: %s", e.Status, e.Code, e.Message)
}

// Flow is the answer to a code request.
type Flow struct {
	FlowID      string    `json:"flow_id"`
	ExpiresAt   time.Time `json:"expires_at"`
	ResendAfter time.Time `json:"resend_after"`
}

// Account is a signed-in account.
type Account struct {
	ID          string    `json:"id"`
	Email       string    `json:"email"`
	CreatedAt   time.Time `json:"created_at"`
	HasPassword bool      `json:"has_password"`
	// CodeSignIn: a code alone signs in (the default); see SetCodeSignIn.
	CodeSignIn bool `json:"code_sign_in"`
	// Language is the language the owner chose for pages and emails, or
	// "" for none; see SetLanguage.
	Language string `json:"language"`
	// RecoveryEmail is the recovery address, masked ("a•••@example.org"),
	// or "" when there is none.
	RecoveryEmail string `json:"recovery_email"`
	// UnderAttackUntil is set while codes for the account are being asked
	// for from many places; zero otherwise.
	UnderAttackUntil time.Time `json:"under_attack_until"`
}

// SignedIn is the answer to a verified code or password.
type SignedIn struct {
	SessionToken string    `json:"session_token"`
	ExpiresAt    time.Time `json:"expires_at"`
	Account      Account   `json:"account"`
	// DeviceToken is the device cookie the answer set, when the device
	// was remembered; "" otherwise.
	DeviceToken string `json:"-"`
}

// Event is one entry of an account's activity.
type Event struct {
	Type string `json:"type"`
	// Kind is what the event is about: see ActivityOfKind.
	Kind string    `json:"kind"`
	At   time.Time `json:"at"`
	// FlowID names the code request the event is about, if any: the flow
	// to report with ReportFlow.
	FlowID    string `json:"flow_id"`
	IP        string `json:"ip"`
	Place     string `json:"place"`
	UserAgent string `json:"user_agent"`
	Detail    string `json:"detail"`
}

// Message is one message in the dev mailbox.
type Message struct {
	ID      string    `json:"id"`
	To      string    `json:"to"`
	Subject string    `json:"subject"`
	Text    string    `json:"text"`
	At      time.Time `json:"at"`
}

// SignIn asks for a code for email.
func (c *Client) SignIn(ctx context.Context, email string) (Flow, error) {
	var f Flow
	err := c.do(ctx, http.MethodPost, "/api/v1/sign-in", map[string]string{"email": email}, &f)
	return f, err
}

// SignInToRecovery asks for a code for email, sent to its account's
// recovery address; the server sends it to email itself when there is
// none, and answers the same either way.
func (c *Client) SignInToRecovery(ctx context.Context, email string) (Flow, error) {
	var f Flow
	err := c.do(ctx, http.MethodPost, "/api/v1/sign-in", map[string]string{"email": email, "send_to": "recovery"}, &f)
	return f, err
}

// Resend asks for a new code for a flow.
func (c *Client) Resend(ctx context.Context, flowID string) (Flow, error) {
	var f Flow
	err := c.do(ctx, http.MethodPost, "/api/v1/flows/"+url.PathEscape(flowID)+"/resend", nil, &f)
	return f, err
}

// Verify submits a code. It does not set c.Token; the caller decides.
func (c *Client) Verify(ctx context.Context, flowID, code string) (SignedIn, error) {
	return c.verify(ctx, flowID, code, false)
}

// VerifyAndRemember submits a code and asks the server to remember this
// device; the answer's DeviceToken is the device cookie to keep.
func (c *Client) VerifyAndRemember(ctx context.Context, flowID, code string) (SignedIn, error) {
	return c.verify(ctx, flowID, code, true)
}

func (c *Client) verify(ctx context.Context, flowID, code string, remember bool) (SignedIn, error) {
	in := map[string]any{"code": code}
	if remember {
		in["remember_device"] = true
	}
	return c.signedIn(ctx, "/api/v1/flows/"+url.PathEscape(flowID)+"/verify", in)
}

// Me returns the signed-in account.
func (c *Client) Me(ctx context.Context) (Account, error) {
	var a Account
	err := c.do(ctx, http.MethodGet, "/api/v1/me", nil, &a)
	return a, err
}

// SignOut ends the session of c.Token.
func (c *Client) SignOut(ctx context.Context) error {
	return c.do(ctx, http.MethodPost, "/api/v1/sign-out", nil, nil)
}

// DevMessages lists the dev mailbox's messages to an address, newest first.
func (c *Client) DevMessages(ctx context.Context, to string) ([]Message, error) {
	return c.devMessages(ctx, url.Values{"to": {to}})
}

// NewestDevMessage returns the newest dev mailbox message to an address,
// and false when there is none; the server opens only that one.
func (c *Client) NewestDevMessage(ctx context.Context, to string) (Message, bool, error) {
	msgs, err := c.devMessages(ctx, url.Values{"to": {to}, "limit": {"1"}})
	if err != nil || len(msgs) == 0 {
		return Message{}, false, err
	}
	return msgs[0], true, nil
}

func (c *Client) devMessages(ctx context.Context, q url.Values) ([]Message, error) {
	var out struct {
		Messages []Message `json:"messages"`
	}
	err := c.do(ctx, http.MethodGet, "/dev/mailbox/api/messages?"+q.Encode(), nil, &out)
	return out.Messages, err
}

func (c *Client) do(ctx context.Context, method, path string, in, out any) error {
	resp, err := c.send(ctx, method, path, in)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return decode(resp, out)
}

// send makes a request and returns a successful answer, whose body the
// caller closes, or the server's error.
func (c *Client) send(ctx context.Context, method, path string, in any) (*http.Response, error) {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, fmt.Errorf("client: encode %s: %w", path, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.BaseURL+path, body)
	if err != nil {
		return nil, fmt.Errorf("client: %s %s: %w", method, path, err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	if c.DeviceToken != "" {
		req.AddCookie(&http.Cookie{Name: deviceCookie, Value: c.DeviceToken})
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, fmt.Errorf("client: %s %s: %w", method, path, err)
	}
	if resp.StatusCode >= 300 {
		defer resp.Body.Close()
		return nil, decodeError(resp)
	}
	return resp, nil
}

// decode reads a successful answer's body into out, or discards it when
// out is nil.
func decode(resp *http.Response, out any) error {
	if out == nil {
		_, err := io.Copy(io.Discard, resp.Body)
		return err
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("client: decode %s %s: %w", resp.Request.Method, resp.Request.URL.Path, err)
	}
	return nil
}

func decodeError(resp *http.Response) error {
	var body struct {
		Error Error `json:"error"`
	}
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err := json.Unmarshal(raw, &body); err != nil || body.Error.Code == "" {
		return &Error{Status: resp.StatusCode, Code: "unexpected", Message: strings.TrimSpace(string(raw))}
	}
	e := body.Error
	e.Status = resp.StatusCode
	e.RetryAfterHeader = resp.Header.Get("Retry-After")
	return &e
}

// RetryAfterDuration returns the Retry-After header as a duration, or 0.
func (e *Error) RetryAfterDuration() time.Duration {
	s, err := strconv.Atoi(e.RetryAfterHeader)
	if err != nil {
		return 0
	}
	return time.Duration(s) * time.Second
}
