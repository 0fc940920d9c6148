package web

import (
	"context"
	"net/http"
	"net/url"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/signin"
)

// A sign-in or reset code can go to the account's recovery address
// instead, for an owner who cannot read their sign-in address. The engine
// sends to the address itself when there is no recovery address, so the
// answer is the same either way and tells nobody whether one exists.

// sendToRecovery reads the optional send_to of a request: absent or
// "address" sends to the address, "recovery" to the recovery address;
// anything else is refused, so that a typo does not quietly send the code
// where the person did not mean it to go.
func sendToRecovery(v *string) (bool, error) {
	switch {
	case v == nil || *v == "address":
		return false, nil
	case *v == "recovery":
		return true, nil
	}
	return false, otpd.FieldError("send_to", `send_to must be "address" or "recovery"`)
}

// formSendTo is sendToRecovery for a form, where a missing field is absent.
func formSendTo(r *http.Request) (bool, error) {
	v := r.PostFormValue("send_to") // parses the form, for Has below
	if !r.PostForm.Has("send_to") {
		return false, nil
	}
	return sendToRecovery(&v)
}

// startSignIn is "continue with email", to the recovery address when
// recovery is set.
func (s *Server) startSignIn(ctx context.Context, email string, recovery bool, rq signin.Requester) (signin.Flow, error) {
	if recovery {
		return s.engine.SignInToRecovery(ctx, email, rq)
	}
	return s.engine.SignIn(ctx, email, rq)
}

// startReset is "forgot your password", to the recovery address when
// recovery is set.
func (s *Server) startReset(ctx context.Context, email string, recovery bool, rq signin.Requester) (signin.Flow, error) {
	if recovery {
		return s.engine.ForgotPasswordToRecovery(ctx, email, rq)
	}
	return s.engine.ForgotPassword(ctx, email, rq)
}

// toRecoveryQuery is the query of a code page whose code went to the
// recovery address, which words the page for it; a link that adds it
// changes only those words.
func toRecoveryQuery(recovery bool) string {
	if !recovery {
		return ""
	}
	return "?" + url.Values{"to": {"recovery"}}.Encode()
}
