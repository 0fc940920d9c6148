package signin

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/otpd/otpd"
)

// Methods returns the caller's added methods, secrets left out.
func (e *Engine) Methods(ctx context.Context, c Caller) ([]otpd.Method, error) {
	_, acct, err := signedIn(c)
	if err != nil {
		return nil, err
	}
	ms, err := e.store.Methods(ctx, acct.ID)
	if err != nil {
		return nil, internal("methods", err)
	}
	for i := range ms {
		ms[i].Secret = nil
	}
	return ms, nil
}

// RemoveMethod removes the caller's method of kind k, after a step-up,
// and tells the address. The address's codes stay a way in, so no
// removal of a method leaves the account without one.
func (e *Engine) RemoveMethod(ctx context.Context, c Caller, k otpd.MethodKind, r Requester) error {
	if !k.Valid() {
		return otpd.FieldError("method", "choose a method: totp or recovery_codes")
	}
	_, acct, err := e.sensitive(c)
	if err != nil {
		return err
	}
	ev := e.methodEvent(acct, otpd.EventMethodRemoved, k, r)
	notice, err := e.methodNotice(acct, string(k)+"_removed", ev, r)
	if err != nil {
		return err
	}
	err = e.store.RemoveMethod(ctx, acct.ID, k, ev, notice)
	if errors.Is(err, otpd.ErrNotFound) {
		return &otpd.Error{Code: otpd.ENotFound, Field: "method", Message: "this account has no such method"}
	}
	if err != nil {
		return internal("remove method", err)
	}
	e.queued()
	return nil
}

// addMethod stores a new method with its event and notice.
func (e *Engine) addMethod(ctx context.Context, acct otpd.Account, m otpd.Method, macs [][]byte, r Requester) error {
	ev := e.methodEvent(acct, otpd.EventMethodAdded, m.Kind, r)
	notice, err := e.methodNotice(acct, string(m.Kind)+"_added", ev, r)
	if err != nil {
		return err
	}
	if err := e.store.AddMethod(ctx, otpd.MethodChange{Method: m, CodeMACs: macs, Event: ev, Notice: notice}); err != nil {
		return internal("add method", err)
	}
	e.queued()
	return nil
}

func (e *Engine) methodEvent(acct otpd.Account, typ otpd.EventType, k otpd.MethodKind, r Requester) otpd.Event {
	return otpd.Event{ID: newID(), Type: typ, At: e.now(), AccountID: acct.ID, Email: acct.Email,
		IP: r.IP, UserAgent: r.UserAgent, Place: e.locate(r.IP).String(), Reason: otpd.Reason(k)}
}

// methodNotice tells the account's address that a method changed, with
// who changed it, as ev records. Like an app's notice it names no
// challenge: whoever did not do it opens otpd and looks.
func (e *Engine) methodNotice(acct otpd.Account, change string, ev otpd.Event, r Requester) (*otpd.OutboxMessage, error) {
	data, err := json.Marshal(otpd.MessageData{
		Purpose: otpd.PurposeStepUp, RequestedAt: ev.At, ExpiresAt: ev.At.Add(noticeLifetime), IP: ev.IP,
		UserAgent: ev.UserAgent, Place: ev.Place, Lang: acct.Language, Change: change,
	})
	if err != nil {
		return nil, internal("encode notice", err)
	}
	return e.sealedNotice("", otpd.MessageMethodChanged, acct.Email, data)
}
