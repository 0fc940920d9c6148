package signin

import (
	"context"
	"errors"
	"strings"

	"github.com/otpd/otpd"
)

// PasswordResult is what a right password leads to: a session when the
// context is familiar enough, or a code sent to the address when it is
// not, with the reasons.
type PasswordResult struct {
	SignedIn *SignedIn
	Flow     *Flow
	Reasons  []otpd.CodeReason
}

var errCredentials = otpd.Errorf(otpd.EInvalidCredentials, "that address and password do not match")

// PasswordSignIn signs in with an address and a password. The attempt is
// counted against the address's guard for this context before the
// password is checked, so no number of concurrent attempts checks more
// than the limits allow; a right password takes its count back. An
// address without an account or without a password does the same work
// and gets the same answer as a wrong password (invariant 6).
func (e *Engine) PasswordSignIn(ctx context.Context, email, pw string, r Requester) (res PasswordResult, err error) {
	defer func() {
		outcome := signInOutcome(err)
		if res.Flow != nil {
			outcome = SignInCodeNeeded
		}
		e.observer.SignedIn(MethodPassword, outcome)
	}()
	addr, err := otpd.ParseAddress(email)
	if err != nil {
		return PasswordResult{}, err
	}
	if pw == "" {
		return PasswordResult{}, otpd.FieldError("password", "enter your password")
	}
	if e.passwords == nil {
		return PasswordResult{}, otpd.Errorf(otpd.EInvalid, "password sign-in is not available here; continue with email")
	}
	if err := e.passwordsAllowed(ctx, r); err != nil {
		return PasswordResult{}, err
	}
	acct, err := e.store.AccountByEmail(ctx, addr)
	if err != nil && !errors.Is(err, otpd.ErrNotFound) {
		return PasswordResult{}, internal("password sign-in", err)
	}
	w, err := e.identify(ctx, r, acct.ID)
	if err != nil {
		return PasswordResult{}, err
	}
	if err := e.paused(w.context()); err != nil {
		return PasswordResult{}, err
	}
	key := otpd.GuardKey{Email: addr, Context: w.context()}
	a, err := e.store.ReserveAttempt(ctx, key, e.now(), e.guess(w.context()))
	if err != nil {
		return PasswordResult{}, internal("reserve attempt", err)
	}
	if a.RetryAfter > 0 {
		e.passwordEvent(ctx, acct, addr, otpd.Event{Type: otpd.EventPasswordWrong, Reason: otpd.ReasonNotChecked, Concerns: string(w.context())}, w, r)
		return PasswordResult{}, lockedOut(a)
	}
	ok, rehash, err := e.checkPassword(acct, pw)
	if err != nil {
		// Refused before any hashing: nothing was checked, so nothing
		// counts.
		if ferr := e.store.ForgiveAttempt(ctx, key, a); ferr != nil {
			return PasswordResult{}, internal("forgive attempt", ferr)
		}
		return PasswordResult{}, err
	}
	if !ok {
		e.failed(ctx, w.context())
		return PasswordResult{}, e.wrongPassword(ctx, acct, addr, w, r, a)
	}
	if err := e.store.ForgiveAttempt(ctx, key, a); err != nil {
		return PasswordResult{}, internal("forgive attempt", err)
	}
	if rehash {
		e.rehash(ctx, acct, pw)
	}
	if reasons := e.reasons(acct, w); len(reasons) > 0 {
		return e.passwordNeedsCode(ctx, acct, w, r, reasons)
	}
	in, err := e.passwordSession(ctx, acct, w, r)
	if err != nil {
		return PasswordResult{}, err
	}
	return PasswordResult{SignedIn: &in}, nil
}

// checkPassword checks pw against the account's hash, or does the same
// work against none: a disabled account's password is never checked, and
// so is wrong, whatever was typed. Its error is only a busy refusal
// (EBusy), from before any work; a stored hash that cannot be read is a
// wrong password.
func (e *Engine) checkPassword(acct otpd.Account, pw string) (ok, rehash bool, err error) {
	if !acct.HasPassword() || acct.Disabled() {
		return false, false, e.passwords.Dummy(pw)
	}
	ok, rehash, err = e.passwords.Verify(acct.PasswordHash, pw)
	if isBusy(err) {
		return false, false, err
	}
	if err != nil {
		e.log.Error("stored password hash unreadable", "account", acct.ID, "err", err)
		return false, false, nil
	}
	return ok, rehash, nil
}

func isBusy(err error) bool { return otpd.ErrorCode(err) == otpd.EBusy }

// hashError passes a busy refusal on for the person to retry; any other
// failure to hash is internal.
func hashError(err error) error {
	if isBusy(err) {
		return err
	}
	return internal("hash password", err)
}

func (e *Engine) wrongPassword(ctx context.Context, acct otpd.Account, addr otpd.Address, w who, r Requester, a otpd.Attempt) error {
	e.passwordEvent(ctx, acct, addr, otpd.Event{Type: otpd.EventPasswordWrong, Concerns: string(w.context())}, w, r)
	if a.LockedUntil.IsZero() {
		return errCredentials
	}
	wait := a.LockedUntil.Sub(e.now())
	e.passwordEvent(ctx, acct, addr, otpd.Event{Type: otpd.EventLockedOut, Concerns: string(w.context())}, w, r)
	return &otpd.Error{Code: otpd.EInvalidCredentials, RetryAfter: wait,
		Message: "that address and password do not match; too many failures from this device, so wait before trying again"}
}

func lockedOut(a otpd.Attempt) error {
	return &otpd.Error{Code: otpd.ETooManyAttempts, RetryAfter: a.RetryAfter,
		Message: "too many failed sign-ins for this address from this device; try again later"}
}

// passwordEvent records ev, an event about a password attempt, on the
// account's record; attempts on an address without an account are kept
// by address, as code requests are.
func (e *Engine) passwordEvent(ctx context.Context, acct otpd.Account, addr otpd.Address, ev otpd.Event, w who, r Requester) {
	ev.ID, ev.At, ev.AccountID, ev.Email = newID(), e.now(), acct.ID, addr
	ev.IP, ev.UserAgent, ev.Place = r.IP, r.UserAgent, w.place.String()
	if err := e.store.RecordEvent(ctx, ev); err != nil {
		e.log.Error("record password event", "type", ev.Type, "err", err)
	}
}

// rehash stores the password under the current parameters; the sign-in
// does not depend on it. When hashing is busy it waits for the next
// sign-in rather than add to the queue.
func (e *Engine) rehash(ctx context.Context, acct otpd.Account, pw string) {
	hash, err := e.passwords.Hash(pw)
	if isBusy(err) {
		return
	}
	if err == nil {
		err = e.store.SetPassword(ctx, otpd.PasswordChange{AccountID: acct.ID, Hash: hash})
	}
	if err != nil {
		e.log.Error("re-hash password", "account", acct.ID, "err", err)
	}
}

// passwordNeedsCode sends a sign-in code after a right password from a
// context that needs one, recording why.
func (e *Engine) passwordNeedsCode(ctx context.Context, acct otpd.Account, w who, r Requester, reasons []otpd.CodeReason) (PasswordResult, error) {
	said := make([]string, len(reasons))
	for i, rs := range reasons {
		said[i] = rs.String()
	}
	e.passwordEvent(ctx, acct, acct.Email, otpd.Event{Type: otpd.EventPasswordVerified, Reason: otpd.ReasonCodeNeeded,
		Concerns: strings.Join(said, ", ")}, w, r)
	f, err := e.request(ctx, codeFor{flowID: newID(), purpose: otpd.PurposeSignIn, addr: acct.Email,
		accountID: acct.ID, afterPassword: true, context: w.context(), lang: acct.Language}, r)
	if err != nil {
		return PasswordResult{}, err
	}
	return PasswordResult{Flow: &f, Reasons: reasons}, nil
}

// passwordSession starts a session for a right password from a familiar
// context.
func (e *Engine) passwordSession(ctx context.Context, acct otpd.Account, w who, r Requester) (SignedIn, error) {
	now := e.now()
	token, hash := newToken()
	s := otpd.Session{ID: newID(), AccountID: acct.ID, TokenHash: hash, CreatedAt: now, LastSeenAt: now,
		ExpiresAt: now.Add(e.policy.SessionAbsolute), IP: r.IP, UserAgent: r.UserAgent,
		Place: w.place.String(), DeviceID: w.device.ID}
	ev := func(typ otpd.EventType, reason otpd.Reason, concerns string) otpd.Event {
		return otpd.Event{ID: newID(), Type: typ, At: now, AccountID: acct.ID, Email: acct.Email,
			IP: r.IP, UserAgent: r.UserAgent, Place: s.Place, Reason: reason, Concerns: concerns}
	}
	evs := []otpd.Event{
		ev(otpd.EventPasswordVerified, "", w.device.Name),
		ev(otpd.EventSessionStarted, otpd.ReasonPassword, ""),
	}
	// An account deleted or disabled since its password was checked
	// starts no session, and its password was as good as wrong.
	if err := e.store.StartSession(ctx, s, evs); errors.Is(err, otpd.ErrNotFound) {
		return SignedIn{}, errCredentials
	} else if err != nil {
		return SignedIn{}, internal("start session", err)
	}
	in := SignedIn{Token: token, Session: s, Account: acct}
	in.DeviceToken = e.seen(ctx, acct, w, w.device.ID, r)
	e.recordSignIn(ctx, acct.ID, w.place)
	return in, nil
}

// recordSignIn keeps where a password sign-in came from, for the next
// one's decision; a failure is logged, as the sign-in has happened. (A
// code's sign-in is recorded with its session: VerifyRequest.SignedInFrom.)
func (e *Engine) recordSignIn(ctx context.Context, accountID string, place otpd.Place) {
	if err := e.store.RecordSignIn(ctx, accountID, e.now(), place); err != nil {
		e.log.Error("record sign-in", "account", accountID, "err", err)
	}
}
