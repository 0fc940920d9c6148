package client

import (
	"context"
	"net/http"
)

// PasswordResult is the answer to a password: SignedIn when the password
// alone signed in, or else the Flow of a code the server sent to the
// address and the Reasons it was needed ("new device", "new country: NG",
// ...). Finish a Flow with Verify.
type PasswordResult struct {
	SignedIn *SignedIn
	Flow     *Flow
	Reasons  []string
}

// PasswordSignIn signs in with an address and a password, from the device
// c.DeviceToken names, if any.
func (c *Client) PasswordSignIn(ctx context.Context, email, password string) (PasswordResult, error) {
	resp, err := c.send(ctx, http.MethodPost, "/api/v1/sign-in/password", map[string]string{"email": email, "password": password})
	if err != nil {
		return PasswordResult{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		in, err := readSignedIn(resp)
		return PasswordResult{SignedIn: &in}, err
	}
	var out struct {
		Flow
		Reasons []string `json:"reasons"`
	}
	err = decode(resp, &out)
	return PasswordResult{Flow: &out.Flow, Reasons: out.Reasons}, err
}

// ForgotPassword asks for a code to reset the password of email. The
// answer is the same whether or not the address has an account.
func (c *Client) ForgotPassword(ctx context.Context, email string) (Flow, error) {
	var f Flow
	err := c.do(ctx, http.MethodPost, "/api/v1/password/forgot", map[string]string{"email": email}, &f)
	return f, err
}

// ForgotPasswordToRecovery is ForgotPassword with the code sent to the
// account's recovery address, or to email itself when there is none.
func (c *Client) ForgotPasswordToRecovery(ctx context.Context, email string) (Flow, error) {
	var f Flow
	err := c.do(ctx, http.MethodPost, "/api/v1/password/forgot", map[string]string{"email": email, "send_to": "recovery"}, &f)
	return f, err
}

// ResetPassword sets a new password with the code of a ForgotPassword
// flow and signs in; every other session of the account ends. With
// remember, the answer's DeviceToken is the device cookie to keep.
func (c *Client) ResetPassword(ctx context.Context, flowID, code, password string, remember bool) (SignedIn, error) {
	in := map[string]any{"flow_id": flowID, "code": code, "password": password}
	if remember {
		in["remember_device"] = true
	}
	return c.signedIn(ctx, "/api/v1/password/reset", in)
}

// SetPassword sets or changes the signed-in account's password. It needs
// a recent step-up (StepUp, VerifyStepUp), or fails with step_up_required.
func (c *Client) SetPassword(ctx context.Context, password string) error {
	return c.do(ctx, http.MethodPut, "/api/v1/me/password", map[string]string{"password": password}, nil)
}

// RemovePassword removes the signed-in account's password. It needs a
// recent step-up, like SetPassword.
func (c *Client) RemovePassword(ctx context.Context) error {
	return c.do(ctx, http.MethodDelete, "/api/v1/me/password", nil, nil)
}

// signedIn posts in to path and reads a signed-in answer.
func (c *Client) signedIn(ctx context.Context, path string, in any) (SignedIn, error) {
	resp, err := c.send(ctx, http.MethodPost, path, in)
	if err != nil {
		return SignedIn{}, err
	}
	defer resp.Body.Close()
	return readSignedIn(resp)
}

// readSignedIn decodes a signed-in answer, with the device cookie it set.
func readSignedIn(resp *http.Response) (SignedIn, error) {
	var in SignedIn
	if err := decode(resp, &in); err != nil {
		return SignedIn{}, err
	}
	for _, ck := range resp.Cookies() {
		if ck.Name == deviceCookie {
			in.DeviceToken = ck.Value
		}
	}
	return in, nil
}
