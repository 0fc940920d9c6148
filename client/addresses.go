package client

import (
	"context"
	"net/http"
	"net/url"
)

// ChangeEmail sends a code to a new sign-in address; ConfirmAddress, in
// this session, makes the change. It needs a recent step-up (StepUp,
// VerifyStepUp), or fails with step_up_required.
func (c *Client) ChangeEmail(ctx context.Context, email string) (Flow, error) {
	var f Flow
	err := c.do(ctx, http.MethodPost, "/api/v1/me/email", map[string]string{"email": email}, &f)
	return f, err
}

// AddRecovery sends a code to a new recovery address; ConfirmAddress, in
// this session, adds it. It needs a recent step-up, like ChangeEmail.
func (c *Client) AddRecovery(ctx context.Context, email string) (Flow, error) {
	var f Flow
	err := c.do(ctx, http.MethodPost, "/api/v1/me/recovery", map[string]string{"email": email}, &f)
	return f, err
}

// ConfirmAddress submits the code of a ChangeEmail or AddRecovery flow
// and returns the account as it is afterwards.
func (c *Client) ConfirmAddress(ctx context.Context, flowID, code string) (Account, error) {
	var a Account
	err := c.do(ctx, http.MethodPost, "/api/v1/me/addresses/"+url.PathEscape(flowID)+"/verify", map[string]string{"code": code}, &a)
	return a, err
}

// RemoveRecovery removes the recovery address. It needs a recent step-up.
func (c *Client) RemoveRecovery(ctx context.Context) error {
	return c.do(ctx, http.MethodDelete, "/api/v1/me/recovery", nil, nil)
}
