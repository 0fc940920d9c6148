package signin

import (
	"context"
	"errors"

	"github.com/otpd/otpd"
)

// Observer hears what the engine decided, for metrics. Every value it is
// given comes from a fixed set of constants, never from a request: no
// address, IP, code or account ID reaches it. It is called on the
// request's goroutine once the decision is made, so an implementation
// must be safe for concurrent use and quick.
type Observer interface {
	// CodeRequested: a request for a code ended so.
	CodeRequested(CodeOutcome)
	// Refused: a limit refused a request for a code or a password attempt.
	Refused(Limit)
	// Verified: the store decided a submitted code so. A reset's first,
	// checking verify (otpd.OutcomeMatched) is not told: its verdict is
	// the verify that follows.
	Verified(otpd.VerifyOutcome)
	// SignedIn: a sign-in by method ended so.
	SignedIn(Method, SignInOutcome)
}

// CodeOutcome is what became of a request for a code.
type CodeOutcome string

const (
	// CodeQueued: a message with a code is in the outbox.
	CodeQueued CodeOutcome = "queued"
	// CodeNoAccount: the address has no account (and sign-up is closed):
	// a notice without a code is in the outbox.
	CodeNoAccount CodeOutcome = "no_account"
	// CodeHeldBack: the account is under attack and the requester a
	// stranger; nothing is sent.
	CodeHeldBack CodeOutcome = "held_back"
	// CodeOff: the account turned code-only sign-in off; nothing is sent.
	CodeOff CodeOutcome = "code_off"
	// CodeRefused: a limit refused the request (Refused says which).
	CodeRefused CodeOutcome = "refused"
)

// CodeOutcomes are every CodeOutcome.
var CodeOutcomes = []CodeOutcome{CodeQueued, CodeNoAccount, CodeHeldBack, CodeOff, CodeRefused}

// Limit names a limit that refused: the store's send limits, and the
// limits on the client that otpd.LimitClient puts together, told apart.
type Limit string

const (
	LimitCooldown = Limit(otpd.LimitCooldown)
	LimitPerHour  = Limit(otpd.LimitPerHour)
	LimitPerDay   = Limit(otpd.LimitPerDay)
	// LimitIP, LimitNetwork and LimitMessages are ClientLimits' PerIP,
	// PerNetwork and Messages.
	LimitIP       Limit = "ip"
	LimitNetwork  Limit = "network"
	LimitMessages Limit = "messages"
	// LimitPasswordIP and LimitPasswordNetwork are ClientLimits'
	// PasswordsPerIP and PasswordsPerNetwork.
	LimitPasswordIP      Limit = "password_ip"
	LimitPasswordNetwork Limit = "password_network"
	// LimitCheckIP and LimitCheckNetwork bound the checks of messages
	// ("Check a message") from an IP and its network;
	// LimitForgeryNetwork the forgery reports a network leaves.
	LimitCheckIP        Limit = "check_ip"
	LimitCheckNetwork   Limit = "check_network"
	LimitForgeryNetwork Limit = "forgery_network"
)

// Limits are every Limit.
var Limits = []Limit{LimitCooldown, LimitPerHour, LimitPerDay, LimitIP, LimitNetwork, LimitMessages,
	LimitPasswordIP, LimitPasswordNetwork, LimitCheckIP, LimitCheckNetwork, LimitForgeryNetwork}

// Method is how a sign-in was attempted.
type Method string

const (
	// MethodCode: a code sent for sign-in or sign-up (Verify).
	MethodCode Method = "code"
	// MethodPassword: an address and a password (PasswordSignIn).
	MethodPassword Method = "password"
	// MethodReset: a reset code with a new password (ResetPassword).
	MethodReset Method = "reset"
)

// Methods are every Method.
var Methods = []Method{MethodCode, MethodPassword, MethodReset}

// SignInOutcome is how a sign-in attempt ended, from the code of the
// engine's answer (otpd.Error.Code), never from its words.
type SignInOutcome string

const (
	SignInOK SignInOutcome = "ok"
	// SignInCodeNeeded: a right password from a context that needs a code
	// too; a code is on its way.
	SignInCodeNeeded SignInOutcome = "code_needed"
	// SignInWrong: a wrong code or password.
	SignInWrong SignInOutcome = "wrong"
	// SignInExpired: the code had expired or was closed.
	SignInExpired SignInOutcome = "expired"
	// SignInRefused: a limit, a lockout, the breaker, or a busy server
	// refused before or instead of checking.
	SignInRefused SignInOutcome = "refused"
	// SignInInvalid: the request itself was wrong (a malformed code, an
	// unknown flow, a password the policy refuses).
	SignInInvalid SignInOutcome = "invalid"
	// SignInError: the server failed.
	SignInError SignInOutcome = "error"
)

// SignInOutcomes are every SignInOutcome.
var SignInOutcomes = []SignInOutcome{SignInOK, SignInCodeNeeded, SignInWrong, SignInExpired, SignInRefused,
	SignInInvalid, SignInError}

// signInOutcome names how an attempt that answered err ended.
func signInOutcome(err error) SignInOutcome {
	switch otpd.ErrorCode(err) {
	case "":
		return SignInOK
	case otpd.EInvalidCode, otpd.EInvalidCredentials:
		return SignInWrong
	case otpd.ECodeExpired:
		return SignInExpired
	case otpd.ERateLimited, otpd.ETooManyAttempts, otpd.EBusy:
		return SignInRefused
	case otpd.EInternal:
		return SignInError
	default:
		return SignInInvalid
	}
}

// nopObserver is the Observer of an engine given none.
type nopObserver struct{}

func (nopObserver) CodeRequested(CodeOutcome)      {}
func (nopObserver) Refused(Limit)                  {}
func (nopObserver) Verified(otpd.VerifyOutcome)    {}
func (nopObserver) SignedIn(Method, SignInOutcome) {}

// verifyCode has the store decide a code, and tells the observer.
func (e *Engine) verifyCode(ctx context.Context, req otpd.VerifyRequest) (otpd.VerifyResult, error) {
	res, err := e.store.VerifyCode(ctx, req)
	if err == nil && res.Outcome != otpd.OutcomeMatched {
		e.observer.Verified(res.Outcome)
	}
	return res, err
}

// requested tells the observer what became of a request for a code that
// drafted d, which the store answered with err. refused is the client
// limit that refused it before the store, already told by checkClient;
// a failure that is no refusal tells nothing.
func (e *Engine) requested(d drafted, refused *otpd.LimitError, err error) {
	var le *otpd.LimitError
	if err != nil && !errors.As(err, &le) {
		return
	}
	if le != nil && refused == nil {
		e.observer.Refused(Limit(le.Limit))
	}
	e.observer.CodeRequested(codeOutcome(d, le))
}

// codeOutcome names what became of a request for a code that drafted d,
// refused by le when it is set.
func codeOutcome(d drafted, le *otpd.LimitError) CodeOutcome {
	switch {
	case le != nil:
		return CodeRefused
	case d.noCode == otpd.ReasonNoAccount:
		return CodeNoAccount
	case d.noCode == otpd.ReasonHeldBack:
		return CodeHeldBack
	case d.noCode == otpd.ReasonCodeOff:
		return CodeOff
	default:
		return CodeQueued
	}
}
