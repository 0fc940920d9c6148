package signin

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/otpd/otpd"
)

// SetPassword sets or changes the password of the caller's account. It is
// a sensitive change: it needs a recent step-up, and the address is told.
// Other sessions stay signed in; a person who fears someone else is in
// can sign them out. The session, its step-up, the password limit and
// the policy come before the hash.
func (e *Engine) SetPassword(ctx context.Context, c Caller, pw string, r Requester) error {
	s, acct, err := e.sensitive(c)
	if err != nil {
		return err
	}
	if e.passwords == nil {
		return otpd.Errorf(otpd.EInvalid, "passwords are not available here")
	}
	if err := e.passwordsAllowed(ctx, r); err != nil {
		return err
	}
	if err := e.passwords.Check(pw, acct.Email.String(), acct.Email.Local()); err != nil {
		return err
	}
	hash, err := e.passwords.Hash(pw)
	if err != nil {
		return hashError(err)
	}
	change, reason := "set", otpd.Reason("")
	if acct.HasPassword() {
		change, reason = "changed", otpd.ReasonChanged
	}
	return e.changePassword(ctx, s, acct, hash, change, otpd.Event{Type: otpd.EventPasswordSet, Reason: reason}, r)
}

// RemovePassword turns the account back to codes only; it needs a recent
// step-up, and the address is told.
func (e *Engine) RemovePassword(ctx context.Context, c Caller, r Requester) error {
	s, acct, err := e.sensitive(c)
	if err != nil {
		return err
	}
	if !acct.HasPassword() {
		return otpd.FieldError("password", "this account has no password to remove")
	}
	return e.changePassword(ctx, s, acct, "", "removed", otpd.Event{Type: otpd.EventPasswordRemoved}, r)
}

// changePassword stores the new hash ("" for none) with ev, the event of
// the change, and the notice that says it changed.
func (e *Engine) changePassword(ctx context.Context, s otpd.Session, acct otpd.Account, hash, change string, ev otpd.Event, r Requester) error {
	place := e.locate(r.IP).String()
	notice, err := e.passwordNotice(s.StepUpChallenge, otpd.PurposeStepUp, acct, change, place, r)
	if err != nil {
		return err
	}
	ev.ID, ev.At, ev.AccountID, ev.Email = newID(), e.now(), acct.ID, acct.Email
	ev.IP, ev.UserAgent, ev.Place = r.IP, r.UserAgent, place
	err = e.store.SetPassword(ctx, otpd.PasswordChange{AccountID: acct.ID, Hash: hash, Notice: notice, Event: ev})
	if err != nil {
		return internal("set password", err)
	}
	e.queued()
	return nil
}

// Devices returns the caller's account's remembered devices, last seen
// first.
func (e *Engine) Devices(ctx context.Context, c Caller) ([]otpd.Device, error) {
	_, acct, err := signedIn(c)
	if err != nil {
		return nil, err
	}
	ds, err := e.store.Devices(ctx, acct.ID)
	if err != nil {
		return nil, internal("devices", err)
	}
	return ds, nil
}

// ForgetDevice forgets one of the caller's account's devices: from then on
// it is an unfamiliar context, and a password sign-in there needs a code.
func (e *Engine) ForgetDevice(ctx context.Context, c Caller, deviceID string, r Requester) error {
	_, acct, err := signedIn(c)
	if err != nil {
		return err
	}
	d, err := e.store.Device(ctx, acct.ID, deviceID)
	if errors.Is(err, otpd.ErrNotFound) {
		return &otpd.Error{Code: otpd.ENotFound, Field: "device_id", Message: "this device is not among the remembered ones"}
	}
	if err != nil {
		return internal("find device", err)
	}
	ev := otpd.Event{ID: newID(), Type: otpd.EventDeviceForgotten, At: e.now(), AccountID: acct.ID, Email: acct.Email,
		IP: r.IP, UserAgent: r.UserAgent, Place: e.locate(r.IP).String(), Concerns: d.Name}
	if err := e.store.ForgetDevice(ctx, acct.ID, deviceID, ev); err != nil && !errors.Is(err, otpd.ErrNotFound) {
		return internal("forget device", err)
	}
	return nil
}

// SignOutEverywhere ends every session of the caller's account but this
// one; it needs a recent step-up. It returns how many ended.
func (e *Engine) SignOutEverywhere(ctx context.Context, c Caller, r Requester) (int, error) {
	s, acct, err := e.sensitive(c)
	if err != nil {
		return 0, err
	}
	ev := otpd.Event{ID: newID(), Type: otpd.EventSessionsEnded, At: e.now(), AccountID: acct.ID, Email: acct.Email,
		IP: r.IP, UserAgent: r.UserAgent, Place: e.locate(r.IP).String()}
	n, err := e.store.EndSessions(ctx, acct.ID, s.ID, ev)
	if err != nil {
		return 0, internal("sign out everywhere", err)
	}
	return n, nil
}

// SetCodeSignIn turns code-only sign-in on or off; it needs a recent
// step-up. Off, a code alone never signs in: "continue with email" sends
// nothing, and a password needs a code as well. That needs a password.
func (e *Engine) SetCodeSignIn(ctx context.Context, c Caller, on bool, r Requester) error {
	_, acct, err := e.sensitive(c)
	if err != nil {
		return err
	}
	if !on && !acct.HasPassword() {
		return otpd.FieldError("code_sign_in", "set a password first: with code-only sign-in off, you sign in with a password and a code")
	}
	reason := otpd.ReasonCodeOn
	if !on {
		reason = otpd.ReasonCodeOff
	}
	ev := otpd.Event{ID: newID(), Type: otpd.EventSettingsChanged, At: e.now(), AccountID: acct.ID, Email: acct.Email,
		IP: r.IP, UserAgent: r.UserAgent, Place: e.locate(r.IP).String(), Reason: reason}
	if err := e.store.SetCodeSignIn(ctx, acct.ID, on, ev); err != nil {
		return internal("set code sign-in", err)
	}
	return nil
}

// SetLanguage keeps the language the caller's account chose for its pages
// and emails: one of the policy's Languages, or "" to let pages follow
// each browser and emails the server's default. It needs no step-up: it
// changes words, not who can get in.
func (e *Engine) SetLanguage(ctx context.Context, c Caller, tag string) error {
	_, acct, err := signedIn(c)
	if err != nil {
		return err
	}
	if tag != "" && !slices.Contains(e.policy.Languages, tag) {
		return otpd.FieldError("language", "language must be one of %s, or empty for the browser's", strings.Join(e.policy.Languages, ", "))
	}
	if err := e.store.SetLanguage(ctx, acct.ID, tag); err != nil {
		return internal("set language", err)
	}
	return nil
}

// Campaigns returns the floods of code requests the caller's account has
// been under, newest first.
func (e *Engine) Campaigns(ctx context.Context, c Caller) ([]otpd.Campaign, error) {
	_, acct, err := signedIn(c)
	if err != nil {
		return nil, err
	}
	cs, err := e.store.Campaigns(ctx, acct.ID)
	if err != nil {
		return nil, internal("campaigns", err)
	}
	return cs, nil
}
