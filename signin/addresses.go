package signin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/otpd/otpd"
)

// undoFor is how long the old address can undo a change of the primary
// address: long enough to notice after a holiday.
const undoFor = 7 * 24 * time.Hour

// ChangeEmail starts moving the caller's account to a new primary address:
// it needs a recent step-up, and sends a code to the new address that
// only this session can confirm.
func (e *Engine) ChangeEmail(ctx context.Context, c Caller, email string, r Requester) (Flow, error) {
	return e.newAddress(ctx, c, email, otpd.PurposeChangeEmail, r)
}

// AddRecovery starts adding a recovery address: it needs a recent step-up,
// and sends a code to that address that only this session can confirm.
func (e *Engine) AddRecovery(ctx context.Context, c Caller, email string, r Requester) (Flow, error) {
	return e.newAddress(ctx, c, email, otpd.PurposeAddRecovery, r)
}

func (e *Engine) newAddress(ctx context.Context, c Caller, email string, p otpd.Purpose, r Requester) (Flow, error) {
	s, acct, err := e.sensitive(c)
	if err != nil {
		return Flow{}, err
	}
	addr, err := otpd.ParseAddress(email)
	if err != nil {
		return Flow{}, err
	}
	if addr.Key() == acct.Email.Key() || addr.Key() == acct.RecoveryEmail.Key() {
		return Flow{}, otpd.FieldError("email", "this address is already on your account")
	}
	return e.request(ctx, codeFor{flowID: newID(), purpose: p, addr: addr, accountID: acct.ID, sessionID: s.ID}, r)
}

// ConfirmAddress verifies the code sent to a new primary or recovery
// address, in the session that asked for it, and applies the change. The
// old primary address is told of a change and can undo it for 7 days.
func (e *Engine) ConfirmAddress(ctx context.Context, c Caller, flowID, code string, r Requester) (otpd.Account, error) {
	s, acct, err := signedIn(c)
	if err != nil {
		return otpd.Account{}, err
	}
	code, ch, err := e.submitted(ctx, flowID, code, s.ID, otpd.PurposeChangeEmail, otpd.PurposeAddRecovery)
	if err != nil {
		return otpd.Account{}, err
	}
	w, err := e.identify(ctx, r, acct.ID)
	if err != nil {
		return otpd.Account{}, err
	}
	now := e.now()
	req := otpd.VerifyRequest{
		ChallengeID: ch.ID, CodeMAC: e.codes.MAC(ch.ID, code), Now: now,
		Context: w.context(), Guess: e.guess(w.context()), StepUpSession: s.ID, UndoUntil: now.Add(undoFor),
		Event: otpd.Event{At: now, Email: ch.Email, AccountID: acct.ID, FlowID: flowID,
			IP: r.IP, UserAgent: r.UserAgent, Place: w.place.String()},
	}
	if ch.Purpose == otpd.PurposeChangeEmail {
		if req.Notice, err = e.emailChangedNotice(ch, acct, w.place.String(), r); err != nil {
			return otpd.Account{}, err
		}
	}
	res, err := e.verifyCode(ctx, req)
	if errors.Is(err, otpd.ErrAddressTaken) {
		return otpd.Account{}, otpd.FieldError("email", "this address belongs to another account")
	}
	if err != nil {
		return otpd.Account{}, internal(fmt.Sprintf("confirm address %s", flowID), err)
	}
	if res.Outcome != otpd.OutcomeVerified {
		return otpd.Account{}, outcomeError(res)
	}
	e.queued()
	return res.Account, nil
}

// emailChangedNotice tells the old address where the account went, with
// the change's undo link: a deny link of the code that confirmed it. It
// goes to acct's address before the change, in acct's language.
func (e *Engine) emailChangedNotice(ch otpd.Challenge, acct otpd.Account, place string, r Requester) (*otpd.OutboxMessage, error) {
	now := e.now()
	data, err := json.Marshal(otpd.MessageData{
		Purpose: otpd.PurposeChangeEmail, RequestedAt: now, ExpiresAt: now.Add(undoFor), IP: r.IP, UserAgent: r.UserAgent,
		Place: place, Lang: acct.Language, DenyToken: e.codes.DenyToken(ch.ID), NewEmail: ch.Email.Masked(),
	})
	if err != nil {
		return nil, internal("encode notice", err)
	}
	return e.sealedNotice(ch.ID, otpd.MessageEmailChanged, acct.Email, data)
}

// RemoveRecovery removes the recovery address; it needs a recent step-up.
func (e *Engine) RemoveRecovery(ctx context.Context, c Caller, r Requester) error {
	_, acct, err := e.sensitive(c)
	if err != nil {
		return err
	}
	ev := otpd.Event{ID: newID(), Type: otpd.EventRecoveryRemoved, At: e.now(), AccountID: acct.ID, Email: acct.Email,
		IP: r.IP, UserAgent: r.UserAgent, Place: e.locate(r.IP).String(),
		Concerns: acct.RecoveryEmail.Masked()}
	err = e.store.RemoveRecovery(ctx, acct.ID, ev)
	if errors.Is(err, otpd.ErrNotFound) {
		return otpd.FieldError("email", "this account has no recovery address")
	}
	if err != nil {
		return internal("remove recovery address", err)
	}
	return nil
}

// undoEmailChange moves the account back after the old address's owner
// reported the change: every session ends and the guard goes up.
func (e *Engine) undoEmailChange(ctx context.Context, ch otpd.Challenge, r Requester) error {
	ev := otpd.Event{ID: newID(), At: e.now(), IP: r.IP, UserAgent: r.UserAgent, Place: e.locate(r.IP).String()}
	acct, err := e.store.UndoEmailChange(ctx, ch.ID, ev)
	switch {
	case errors.Is(err, otpd.ErrNotFound):
		return otpd.Errorf(otpd.ENotFound, "this change can no longer be undone from the email; your report is recorded")
	case errors.Is(err, otpd.ErrAddressTaken):
		return otpd.Errorf(otpd.EInvalid, "your old address now belongs to another account, so the change cannot be undone; your report is recorded")
	case err != nil:
		return internal("undo address change", err)
	}
	return e.raiseGuard(ctx, acct.ID)
}
