package signin

import (
	"context"
	"fmt"
	"slices"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/passcode"
	"github.com/otpd/otpd/useragent"
)

// SignedIn is the result of a verified code or password: a new session
// and its token, which is shown once and stored only as a hash.
type SignedIn struct {
	Token          string
	Session        otpd.Session
	Account        otpd.Account
	AccountCreated bool
	// DeviceToken, when set, is the new value of the browser's device
	// cookie: the person asked to remember this device.
	DeviceToken string
}

// Verify checks a sign-in or sign-up code for a flow. The store evaluates
// it and counts the attempt in one transaction and, when it is right,
// consumes it and starts the session in that same transaction
// (invariants 2 and 3).
func (e *Engine) Verify(ctx context.Context, flowID, code string, r Requester) (_ SignedIn, err error) {
	defer func() { e.observer.SignedIn(MethodCode, signInOutcome(err)) }()
	code, ch, err := e.submitted(ctx, flowID, code, "", otpd.PurposeSignIn, otpd.PurposeSignUp)
	if err != nil {
		return SignedIn{}, err
	}
	off, err := e.codeAloneOff(ctx, ch)
	if err != nil {
		return SignedIn{}, err
	}
	return e.verifySignIn(ctx, ch, code, r, func(req *otpd.VerifyRequest) error {
		if off {
			req.CodeMAC = unmatchable()
		}
		return nil
	})
}

// codeAloneOff reports whether a code sent without a password is for an
// account whose owner has since turned code-only sign-in off. Such a code
// counts as wrong, as a code for an address without an account does: a
// different answer would tell the two apart (invariant 6).
func (e *Engine) codeAloneOff(ctx context.Context, ch otpd.Challenge) (bool, error) {
	if ch.AccountID == "" || ch.AfterPassword {
		return false, nil
	}
	acct, err := e.store.AccountByID(ctx, ch.AccountID)
	if err != nil {
		return false, internal("verify", err)
	}
	return acct.CodeSignInOff, nil
}

func (e *Engine) normalize(code string) (string, error) {
	code, ok := passcode.Normalize(code, e.policy.Digits)
	if !ok {
		return "", otpd.FieldError("code", "enter the %d-digit code from the email", e.policy.Digits)
	}
	return code, nil
}

func wrongFlow(p otpd.Purpose) error {
	return &otpd.Error{Code: otpd.EInvalid, Field: "flow_id",
		Message: fmt.Sprintf("this code is for another step (%s); use the page where you asked for it", p)}
}

// verifySignIn verifies a code that starts a session; with change set, it
// also carries what the code applies (a reset's new password), and an
// error from change is the answer, before the store sees the request.
func (e *Engine) verifySignIn(ctx context.Context, ch otpd.Challenge, code string, r Requester, change func(*otpd.VerifyRequest) error) (SignedIn, error) {
	w, err := e.identify(ctx, r, ch.AccountID)
	if err != nil {
		return SignedIn{}, err
	}
	if err := e.paused(w.context()); err != nil {
		return SignedIn{}, err
	}
	deviceID := w.device.ID
	if !w.known && r.Remember {
		// A new device, never the one the browser's cookie names: that
		// cookie may have been made for another account and planted here.
		deviceID = newID()
	}
	now := e.now()
	token, hash := newToken()
	req := otpd.VerifyRequest{
		ChallengeID: ch.ID,
		CodeMAC:     e.codes.MAC(ch.ID, code),
		Now:         now,
		Context:     w.context(),
		Guess:       e.guess(w.context()),
		Session: otpd.Session{
			ID: newID(), TokenHash: hash, CreatedAt: now, LastSeenAt: now,
			ExpiresAt: now.Add(e.policy.SessionAbsolute), IP: r.IP, UserAgent: r.UserAgent,
			Place: w.place.String(), DeviceID: deviceID,
		},
		NewAccountID: newID(),
		Event: otpd.Event{At: now, Email: ch.Email, AccountID: ch.AccountID, FlowID: ch.FlowID,
			IP: r.IP, UserAgent: r.UserAgent, Place: w.place.String()},
	}
	if change != nil {
		if err := change(&req); err != nil {
			return SignedIn{}, err
		}
	}
	req.SignedInFrom = &w.place
	res, err := e.verifyCode(ctx, req)
	if err != nil {
		return SignedIn{}, internal(fmt.Sprintf("verify flow %s", ch.FlowID), err)
	}
	if res.Outcome != otpd.OutcomeVerified {
		if res.Outcome == otpd.OutcomeWrong {
			e.failed(ctx, w.context())
		}
		return SignedIn{}, outcomeError(res)
	}
	in := SignedIn{Token: token, Session: res.Session, Account: res.Account, AccountCreated: res.AccountCreated}
	if deviceID != "" {
		in.DeviceToken = e.seen(ctx, res.Account, w, deviceID, r)
	}
	return in, nil
}

// seen remembers the device a sign-in came from, or moves its last-seen
// time forward, and returns its cookie. The session already exists, so a
// failure here is logged rather than undoing the sign-in.
func (e *Engine) seen(ctx context.Context, acct otpd.Account, w who, deviceID string, r Requester) string {
	now := e.now()
	d := otpd.Device{ID: deviceID, AccountID: acct.ID, Name: useragent.Name(r.UserAgent),
		FirstSeen: now, LastSeen: now, LastIP: r.IP, LastPlace: w.place}
	var ev *otpd.Event
	if !w.known {
		ev = &otpd.Event{ID: newID(), Type: otpd.EventDeviceRemembered, At: now, AccountID: acct.ID, Email: acct.Email,
			IP: r.IP, UserAgent: r.UserAgent, Place: w.place.String(), Concerns: d.Name}
	}
	if err := e.store.SaveDevice(ctx, d, ev); err != nil {
		e.log.Error("remember device", "account", acct.ID, "err", err)
		return ""
	}
	return e.codes.DeviceToken(acct.ID, deviceID)
}

func outcomeError(res otpd.VerifyResult) error {
	switch res.Outcome {
	case otpd.OutcomeWrong:
		if res.RetryAfter > 0 {
			return &otpd.Error{Code: otpd.ETooManyAttempts, RetryAfter: res.RetryAfter,
				Message: "that code is wrong, and too many failures came from this device; try again later"}
		}
		if res.AttemptsLeft == 0 {
			return otpd.Errorf(otpd.ETooManyAttempts, "that code is wrong and no tries are left; request a new code")
		}
		return &otpd.Error{Code: otpd.EInvalidCode, Field: "code", AttemptsLeft: res.AttemptsLeft,
			Message: fmt.Sprintf("that code is wrong; %d %s left", res.AttemptsLeft, plural(res.AttemptsLeft, "try", "tries"))}
	case otpd.OutcomeExpired:
		return otpd.Errorf(otpd.ECodeExpired, "this code has expired; request a new one")
	case otpd.OutcomeExhausted:
		return otpd.Errorf(otpd.ETooManyAttempts, "this code took too many wrong tries; request a new one")
	case otpd.OutcomeLocked:
		return &otpd.Error{Code: otpd.ETooManyAttempts, RetryAfter: res.RetryAfter,
			Message: "too many failures for this address from this device; try again later"}
	default:
		return otpd.Errorf(otpd.ECodeExpired, "this code can no longer be used; request a new one")
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// submitted reads a code typed for a flow and finds the flow's newest
// challenge, which must be for one of purposes and belong to sessionID
// ("" for a flow no session asked for); any other is the wrong flow.
func (e *Engine) submitted(ctx context.Context, flowID, code, sessionID string, purposes ...otpd.Purpose) (string, otpd.Challenge, error) {
	code, err := e.normalize(code)
	if err != nil {
		return "", otpd.Challenge{}, err
	}
	ch, err := e.latest(ctx, flowID)
	if err != nil {
		return "", otpd.Challenge{}, err
	}
	if !slices.Contains(purposes, ch.Purpose) || ch.SessionID != sessionID {
		return "", otpd.Challenge{}, wrongFlow(ch.Purpose)
	}
	return code, ch, nil
}
