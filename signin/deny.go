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

// Deny records a report, from an email's "This wasn't me" link, that a
// code was not asked for. A pending code is cancelled in the same
// transaction, so it no longer verifies; the report is kept whatever the
// code's state, because a report about a code that was already used says
// someone else signed in.
//
// The link speaks for the mailbox it was sent to. Most go to the flow's
// account's own addresses, and their report is its owner's. But the code
// that confirms a new sign-in or recovery address goes to that new
// address, whose owner is not the account's: someone typed their address
// into an account's settings, by mistake or to take it over. Their report
// cancels the code, so the address cannot be attached, and is recorded on
// the account the flow belongs to, whose owner should know that the
// address was disowned (and that it was tried, if someone else is in
// their session). It ends no session and raises no guard: the reporter
// speaks for the address, not for that account, so letting their click
// sign its owner out or make its password need a code would hand anyone
// who receives a mistyped address's code a way to disturb a stranger; and
// an account that owns the address had no part in the flow at all.
func (e *Engine) Deny(ctx context.Context, token string, r Requester) (otpd.Challenge, error) {
	ch, err := e.DenyTarget(ctx, token)
	if err != nil {
		return otpd.Challenge{}, err
	}
	// A used change of address is the undo link of the notice to the old
	// address, whose owner is the account's.
	if confirmsAddress(ch.Purpose) && !undoes(ch) {
		return e.deny(ctx, ch.ID, r, byNewAddress)
	}
	return e.deny(ctx, ch.ID, r, byOwner)
}

// ReportFlow is "This wasn't me" from the activity page: the signed-in
// owner reports a code request of their account's by its flow, with the
// same effect as the email's link.
func (e *Engine) ReportFlow(ctx context.Context, c Caller, flowID string, r Requester) (otpd.Challenge, error) {
	_, acct, err := signedIn(c)
	if err != nil {
		return otpd.Challenge{}, err
	}
	ch, err := e.latest(ctx, flowID)
	if err != nil {
		return otpd.Challenge{}, err
	}
	if !ownsFlow(acct, ch) {
		return otpd.Challenge{}, &otpd.Error{Code: otpd.ENotFound, Field: "flow_id",
			Message: "this code request is not one of your account's"}
	}
	return e.deny(ctx, ch.ID, r, byOwner)
}

// ownsFlow reports whether a flow is acct's: asked for by it, or, for a
// sign-up, which belongs to no account, asked for its address. A flow of
// another account is not, though its code went to acct's address.
func ownsFlow(acct otpd.Account, ch otpd.Challenge) bool {
	if ch.AccountID != "" {
		return ch.AccountID == acct.ID
	}
	return ch.Email.Key() == acct.Email.Key()
}

// reporter is whom a report speaks for.
type reporter int

const (
	// byOwner is the owner of the flow's account.
	byOwner reporter = iota
	// byNewAddress is the owner of an address the flow's account asked to
	// confirm as its own.
	byNewAddress
)

func (e *Engine) deny(ctx context.Context, id string, r Requester, by reporter) (otpd.Challenge, error) {
	ev := otpd.Event{ID: newID(), At: e.now(), IP: r.IP, UserAgent: r.UserAgent, Place: e.locate(r.IP).String()}
	if by == byNewAddress {
		ev.Reason = otpd.ReasonDisowned
	}
	ch, err := e.store.DenyChallenge(ctx, id, ev)
	if errors.Is(err, otpd.ErrNotFound) {
		return otpd.Challenge{}, errBadDenyLink
	}
	if err != nil {
		return otpd.Challenge{}, internal("deny", err)
	}
	if by == byNewAddress {
		return ch, nil
	}
	if undoes(ch) {
		return ch, e.undoEmailChange(ctx, ch, r)
	}
	acct, ok, err := e.flowAccount(ctx, ch)
	if err != nil || !ok {
		return ch, err
	}
	if err := e.endReportedSessions(ctx, acct, ch, r); err != nil {
		return ch, err
	}
	return ch, e.raiseGuard(ctx, acct.ID)
}

// confirmsAddress reports whether a code of purpose p is sent to an
// address the account does not have yet, to confirm it.
func confirmsAddress(p otpd.Purpose) bool {
	return p == otpd.PurposeChangeEmail || p == otpd.PurposeAddRecovery
}

// undoes reports whether denying ch undoes a change of address: its code
// confirmed the change.
func undoes(ch otpd.Challenge) bool {
	return ch.Purpose == otpd.PurposeChangeEmail && ch.Status == otpd.StatusUsed
}

// flowAccount is the account a reported flow belongs to: its challenge's,
// or, for a sign-up, the account its address has now, if any.
func (e *Engine) flowAccount(ctx context.Context, ch otpd.Challenge) (otpd.Account, bool, error) {
	var acct otpd.Account
	var err error
	if ch.AccountID != "" {
		acct, err = e.store.AccountByID(ctx, ch.AccountID)
	} else {
		acct, err = e.store.AccountByEmail(ctx, ch.Email)
	}
	switch {
	case errors.Is(err, otpd.ErrNotFound):
		return otpd.Account{}, false, nil
	case err != nil:
		return otpd.Account{}, false, internal("reported account", err)
	}
	return acct, true, nil
}

// endReportedSessions signs out every session of the flow's account
// started from the reported request's address since it was made: if the
// code was used, or the requester got in another way, that is whoever the
// owner reports.
func (e *Engine) endReportedSessions(ctx context.Context, acct otpd.Account, ch otpd.Challenge, r Requester) error {
	ev := otpd.Event{ID: newID(), Type: otpd.EventSessionsEnded, At: e.now(), AccountID: acct.ID, Email: acct.Email,
		IP: r.IP, UserAgent: r.UserAgent, Place: e.locate(r.IP).String(), Reason: otpd.ReasonReported, Concerns: ch.IP}
	if _, err := e.store.EndSessionsFrom(ctx, acct.ID, ch.IP, ch.CreatedAt, ev); err != nil {
		return internal("end reported sessions", err)
	}
	return nil
}

// raiseGuard makes every password sign-in of the account need a code for
// a while: its owner says someone else is trying to get in.
func (e *Engine) raiseGuard(ctx context.Context, accountID string) error {
	if e.policy.GuardFor <= 0 {
		return nil
	}
	if err := e.store.RaiseGuard(ctx, accountID, e.now().Add(e.policy.GuardFor)); err != nil {
		return internal("raise guard", err)
	}
	return nil
}
