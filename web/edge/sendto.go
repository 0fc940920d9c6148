package edge

import (
	"context"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/signin"
)

// A sign-in or reset code can go to the account's recovery address
// instead, for an owner who cannot read their sign-in address. The engine
// sends to the address itself when there is no recovery address, so the
// answer is the same either way and tells nobody whether one exists.

// SendToRecovery reads the optional send_to of a request: absent or
// "address" sends to the address, "recovery" to the recovery address;
// anything else is refused, so that a typo does not quietly send the code
// where the person did not mean it to go.
func SendToRecovery(v *string) (bool, error) {
	switch {
	case v == nil || *v == "address":
		return false, nil
	case *v == "recovery":
		return true, nil
	}
	return false, otpd.FieldError("send_to", `send_to must be "address" or "recovery"`)
}

// StartSignIn is "continue with email", to the recovery address when
// recovery is set.
func (e *Edge) StartSignIn(ctx context.Context, email string, recovery bool, rq signin.Requester) (signin.Flow, error) {
	if recovery {
		return e.Engine.SignInToRecovery(ctx, email, rq)
	}
	return e.Engine.SignIn(ctx, email, rq)
}

// StartReset is "forgot your password", to the recovery address when
// recovery is set.
func (e *Edge) StartReset(ctx context.Context, email string, recovery bool, rq signin.Requester) (signin.Flow, error) {
	if recovery {
		return e.Engine.ForgotPasswordToRecovery(ctx, email, rq)
	}
	return e.Engine.ForgotPassword(ctx, email, rq)
}
