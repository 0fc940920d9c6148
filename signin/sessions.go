package signin

import (
	"context"
	"errors"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/useragent"
)

// Sessions returns the caller's account's sessions that can still be
// used, newest first, and the ID of the caller's own.
func (e *Engine) Sessions(ctx context.Context, c Caller) ([]otpd.Session, string, error) {
	s, acct, err := signedIn(c)
	if err != nil {
		return nil, "", err
	}
	all, err := e.store.Sessions(ctx, acct.ID)
	if err != nil {
		return nil, "", internal("sessions", err)
	}
	now := e.now()
	var active []otpd.Session
	for _, x := range all {
		if x.ActiveAt(now, e.policy.SessionIdle) {
			active = append(active, x)
		}
	}
	return active, s.ID, nil
}

// EndSession signs out one session of the caller's account, from another
// or from itself. It only takes access away, so it needs no step-up.
func (e *Engine) EndSession(ctx context.Context, c Caller, sessionID string, r Requester) error {
	_, acct, err := signedIn(c)
	if err != nil {
		return err
	}
	errUnknown := &otpd.Error{Code: otpd.ENotFound, Field: "session_id", Message: "this session does not exist or has ended"}
	all, err := e.store.Sessions(ctx, acct.ID)
	if err != nil {
		return internal("sessions", err)
	}
	var target *otpd.Session
	for i := range all {
		if all[i].ID == sessionID {
			target = &all[i]
		}
	}
	if target == nil {
		return errUnknown
	}
	ev := otpd.Event{ID: newID(), Type: otpd.EventSessionEnded, At: e.now(), AccountID: acct.ID, Email: acct.Email,
		IP: r.IP, UserAgent: r.UserAgent, Place: e.locate(r.IP).String(),
		Concerns: useragent.Name(target.UserAgent) + " from " + target.IP}
	if err := e.store.EndSession(ctx, sessionID, ev); errors.Is(err, otpd.ErrNotFound) {
		return errUnknown
	} else if err != nil {
		return internal("end session", err)
	}
	return nil
}

// UnusedCode is a code asked for the account's address that was never
// used: the owner's evidence that someone else drove it into a sign-in.
type UnusedCode struct {
	// FlowID names the request for "This wasn't me" (Engine.ReportFlow).
	FlowID  string
	At      time.Time
	Purpose otpd.Purpose
	// Status is expired, exhausted, superseded, denied, or pending while
	// the code still works.
	Status    otpd.ChallengeStatus
	IP        string
	UserAgent string
	Place     string
}

// unusedLookback bounds how far back the notice looks when the account
// has no earlier sign-in to start from.
const unusedLookback = 30 * 24 * time.Hour

// maxUnused bounds the codes the notice reads; a flood is one campaign.
const maxUnused = 100

// UnusedCodes returns the sign-in, sign-up and reset codes asked for the
// caller's account's address since the sign-in before its last one that
// were never used, newest first. Those of another account, which had the
// address before, are that account's news.
func (e *Engine) UnusedCodes(ctx context.Context, c Caller) ([]UnusedCode, error) {
	_, acct, err := signedIn(c)
	if err != nil {
		return nil, err
	}
	now := e.now()
	since := now.Add(-unusedLookback)
	if acct.PrevSignInAt.After(since) {
		since = acct.PrevSignInAt
	}
	cs, err := e.store.UnusedChallenges(ctx, acct.Email, since, maxUnused)
	if err != nil {
		return nil, internal("unused codes", err)
	}
	var out []UnusedCode
	for _, c := range cs {
		if !ownsFlow(acct, c) {
			continue
		}
		if c.Purpose != otpd.PurposeSignIn && c.Purpose != otpd.PurposeSignUp && c.Purpose != otpd.PurposeResetPassword {
			continue
		}
		status := c.Status
		if status == otpd.StatusPending && !now.Before(c.ExpiresAt) {
			status = otpd.StatusExpired
		}
		out = append(out, UnusedCode{FlowID: c.FlowID, At: c.CreatedAt, Purpose: c.Purpose, Status: status, IP: c.IP,
			UserAgent: c.UserAgent, Place: e.locate(c.IP).String()})
	}
	return out, nil
}
