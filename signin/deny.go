package signin

import (
	"context"
	"errors"

	"github.com/otpd/otpd"
)

var errBadDenyLink = &otpd.Error{Code: otpd.ENotFound, Field: "token",
	Message: "this link is not valid; open the link from the email exactly as it is"}

// DenyTarget returns the challenge a "This wasn't me" link names, so that
// the page can show what is about to be cancelled. It changes nothing: a
// link opened by a mail scanner must not cancel a code.
func (e *Engine) DenyTarget(ctx context.Context, token string) (otpd.Challenge, error) {
	id, ok := e.codes.CheckDenyToken(token)
	if !ok {
		return otpd.Challenge{}, errBadDenyLink
	}
	ch, err := e.store.Challenge(ctx, id)
	if errors.Is(err, otpd.ErrNotFound) {
		return otpd.Challenge{}, errBadDenyLink
	}
	if err != nil {
		return otpd.Challenge{}, internal("deny target", err)
	}
	return ch, nil
}

// Deny records the owner's report that they did not ask for a code. A
// pending code is cancelled in the same transaction, so it no longer
// verifies; the report is kept whatever the code's state, because a report
// about a code that was already used says someone else signed in.
func (e *Engine) Deny(ctx context.Context, token string, r Requester) (otpd.Challenge, error) {
	id, ok := e.codes.CheckDenyToken(token)
	if !ok {
		return otpd.Challenge{}, errBadDenyLink
	}
	return e.deny(ctx, id, r)
}

// ReportFlow is "This wasn't me" from the activity page: the signed-in
// owner reports a code request for their account's address by its flow,
// with the same effect as the email's link.
func (e *Engine) ReportFlow(ctx context.Context, token, flowID string, r Requester) (otpd.Challenge, error) {
	_, acct, err := e.Authenticate(ctx, token)
	if err != nil {
		return otpd.Challenge{}, err
	}
	ch, err := e.latest(ctx, flowID)
	if err != nil {
		return otpd.Challenge{}, err
	}
	if ch.AccountID != acct.ID && ch.Email.Key() != acct.Email.Key() {
		return otpd.Challenge{}, &otpd.Error{Code: otpd.ENotFound, Field: "flow_id",
			Message: "this code request is not one of your account's"}
	}
	return e.deny(ctx, ch.ID, r)
}

func (e *Engine) deny(ctx context.Context, id string, r Requester) (otpd.Challenge, error) {
	ev := otpd.Event{ID: newID(), At: e.now(), IP: r.IP, UserAgent: r.UserAgent, Place: e.locate(r.IP).String(),
		Detail: "the owner reported a code they did not ask for"}
	ch, err := e.store.DenyChallenge(ctx, id, ev)
	if errors.Is(err, otpd.ErrNotFound) {
		return otpd.Challenge{}, errBadDenyLink
	}
	if err != nil {
		return otpd.Challenge{}, internal("deny", err)
	}
	if ch.Purpose == otpd.PurposeChangeEmail && ch.Status == otpd.StatusUsed {
		return ch, e.undoEmailChange(ctx, ch, r)
	}
	if err := e.endReportedSessions(ctx, ch, r); err != nil {
		return ch, err
	}
	return ch, e.raiseGuard(ctx, ch.Email)
}

// endReportedSessions signs out every session started from the reported
// request's address since it was made: if the code was used, or the
// requester got in another way, that is whoever the owner reports.
func (e *Engine) endReportedSessions(ctx context.Context, ch otpd.Challenge, r Requester) error {
	acct, err := e.store.AccountByEmail(ctx, ch.Email)
	if errors.Is(err, otpd.ErrNotFound) {
		return nil
	}
	if err != nil {
		return internal("reported account", err)
	}
	ev := otpd.Event{ID: newID(), Type: otpd.EventSessionsEnded, At: e.now(), AccountID: acct.ID, Email: acct.Email,
		IP: r.IP, UserAgent: r.UserAgent, Place: e.locate(r.IP).String(),
		Detail: "signed out the sessions started from " + ch.IP + " after the reported code request"}
	if _, err := e.store.EndSessionsFrom(ctx, acct.ID, ch.IP, ch.CreatedAt, ev); err != nil {
		return internal("end reported sessions", err)
	}
	return nil
}

// raiseGuard makes every password sign-in of the address's account need a
// code for a while: its owner says someone else is trying to get in.
func (e *Engine) raiseGuard(ctx context.Context, addr otpd.Address) error {
	if e.policy.GuardFor <= 0 {
		return nil
	}
	acct, err := e.store.AccountByEmail(ctx, addr)
	if errors.Is(err, otpd.ErrNotFound) {
		return nil
	}
	if err == nil {
		err = e.store.RaiseGuard(ctx, acct.ID, e.now().Add(e.policy.GuardFor))
	}
	if err != nil {
		return internal("raise guard", err)
	}
	return nil
}
