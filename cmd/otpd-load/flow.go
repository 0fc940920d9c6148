package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/otpd/otpd/client"
)

// runner runs flows against one server and records them.
type runner struct {
	api     *client.Client // without a token; shares the bounded transport
	codes   codeSource     // nil for the floor, which answers with the code
	rec     *recorder
	timeout time.Duration
	floor   bool
}

// flow runs one complete sign-in for a and records its steps. me asks
// for the account with the new session, as an app would next.
func (r *runner) flow(ctx context.Context, a *account, me bool) error {
	if r.floor {
		return r.floorFlow(ctx, a)
	}
	wait, err := r.codes.expect(ctx, a)
	if err != nil {
		return stepError(stepRead, err)
	}
	start := time.Now()
	f, err := r.api.SignIn(ctx, a.email)
	if err != nil {
		return stepError(stepRequest, err)
	}
	start = r.took(stepRequest, start)
	readCtx, cancel := context.WithTimeout(ctx, r.timeout)
	code, err := wait(readCtx)
	cancel()
	if err != nil {
		return stepError(stepRead, err)
	}
	start = r.took(stepRead, start)
	in, err := r.api.Verify(ctx, f.FlowID, code)
	if err != nil {
		return stepError(stepVerify, err)
	}
	start = r.took(stepVerify, start)
	if !me {
		return nil
	}
	signedIn := *r.api
	signedIn.Token = in.SessionToken
	if _, err := signedIn.Me(ctx); err != nil {
		return stepError(stepMe, err)
	}
	r.took(stepMe, start)
	return nil
}

// took records the time since start as step's, and returns now.
func (r *runner) took(step string, start time.Time) time.Time {
	now := time.Now()
	r.rec.step(step, now.Sub(start))
	return now
}

// floorFlow drives the floor's two endpoints. The floor answers the
// request with the code it signed into the message: it stands for a mail
// path that costs the server nothing more.
func (r *runner) floorFlow(ctx context.Context, a *account) error {
	start := time.Now()
	var req struct {
		FlowID string `json:"flow_id"`
		Code   string `json:"code"`
	}
	if err := r.post(ctx, "/request", map[string]string{"email": a.email}, &req); err != nil {
		return stepError(stepRequest, err)
	}
	start = r.took(stepRequest, start)
	var ver struct {
		SessionToken string `json:"session_token"`
	}
	if err := r.post(ctx, "/verify", map[string]string{"flow_id": req.FlowID, "code": req.Code}, &ver); err != nil {
		return stepError(stepVerify, err)
	}
	if ver.SessionToken == "" {
		return stepError(stepVerify, errors.New("no session token"))
	}
	r.took(stepVerify, start)
	return nil
}

func (r *runner) post(ctx context.Context, path string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.api.BaseURL+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := r.api.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		io.Copy(io.Discard, resp.Body)
		return &client.Error{Status: resp.StatusCode, Code: http.StatusText(resp.StatusCode)}
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// stepError names what failed in a few words, so that errors can be
// counted by kind: the step, then the HTTP status and error code, or what
// went wrong on the way.
func stepError(step string, err error) error {
	var apiErr *client.Error
	var netErr net.Error
	var kind string
	switch {
	case errors.As(err, &apiErr):
		kind = fmt.Sprintf("%d %s", apiErr.Status, apiErr.Code)
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		kind = "timeout"
	case errors.Is(err, context.Canceled):
		kind = "canceled"
	case errors.Is(err, errNoCode), errors.Is(err, errUnsigned):
		kind = err.Error()
	case errors.As(err, &netErr):
		kind = "network error"
	default:
		kind = "bad answer"
	}
	return &flowError{step: step, kind: step + ": " + kind, err: err}
}

// flowError is a failed flow; kind is what the error counts go by.
type flowError struct {
	step, kind string
	err        error
}

func (e *flowError) Error() string { return e.kind + ": " + e.err.Error() }
func (e *flowError) Unwrap() error { return e.err }

// kindOf returns an error's kind for the counts.
func kindOf(err error) string {
	var fe *flowError
	if errors.As(err, &fe) {
		return fe.kind
	}
	return "other"
}
