package signin

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/otpd/otpd"
)

// Flow is what a client learns about a code it asked for. It is the same
// whether or not the address has an account (invariant 6).
type Flow struct {
	ID          string
	ExpiresAt   time.Time
	ResendAfter time.Time
}

// SignIn is "continue with email": it sends a sign-in code to an address
// with an account, a sign-up code to one without when sign-up is open, and
// a notice without a code when sign-up is closed. The answer and the work
// done are the same in all three cases.
func (e *Engine) SignIn(ctx context.Context, email string, r Requester) (Flow, error) {
	return e.signIn(ctx, email, false, r)
}

// SignInToRecovery is SignIn with the code sent to the account's recovery
// address, or to the address itself when it has none: the answer does not
// say which (invariant 6).
func (e *Engine) SignInToRecovery(ctx context.Context, email string, r Requester) (Flow, error) {
	return e.signIn(ctx, email, true, r)
}

func (e *Engine) signIn(ctx context.Context, email string, recovery bool, r Requester) (Flow, error) {
	addr, err := otpd.ParseAddress(email)
	if err != nil {
		return Flow{}, err
	}
	c := codeFor{flowID: newID(), purpose: otpd.PurposeSignUp, addr: addr}
	acct, err := e.store.AccountByEmail(ctx, addr)
	switch {
	case err == nil:
		c.purpose, c.accountID, c.silent, c.kept, c.lang = otpd.PurposeSignIn, acct.ID, acct.CodeSignInOff, acct.Email, acct.Language
		c.disabled = acct.Disabled()
		if recovery {
			c.to = acct.RecoveryEmail
		}
	case !errors.Is(err, otpd.ErrNotFound):
		return Flow{}, internal("sign in", err)
	}
	return e.guarded(ctx, c, acct, r)
}

// guarded sends a sign-in or reset code for an account, minding floods:
// while the account is under attack, a code for a requester on a device it
// does not know is held back; otherwise a request that reveals a flood
// starts a campaign.
func (e *Engine) guarded(ctx context.Context, c codeFor, acct otpd.Account, r Requester) (Flow, error) {
	// A stranger is unfamiliar whether or not the address has an
	// account: a device cookie counts only for the account it was made
	// for.
	w, err := e.identify(ctx, r, acct.ID)
	if err != nil {
		return Flow{}, err
	}
	c.context = w.context()
	if acct.ID == "" {
		return e.request(ctx, c, r)
	}
	held, err := e.heldBack(ctx, acct, w)
	if err != nil {
		return Flow{}, err
	}
	c.held = held
	f, ch, err := e.send(ctx, c, r)
	if err != nil || held {
		return f, err
	}
	return f, e.detectFlood(ctx, acct, ch.ID, r)
}

// Resend sends a new code for a flow, superseding the earlier one, once
// the cooldown has passed.
func (e *Engine) Resend(ctx context.Context, flowID string, r Requester) (Flow, error) {
	prev, err := e.latest(ctx, flowID)
	if err != nil {
		return Flow{}, err
	}
	if prev.Status == otpd.StatusUsed {
		return Flow{}, otpd.Errorf(otpd.EInvalid, "this sign-in is already complete; start a new one")
	}
	c := codeFor{flowID: flowID, purpose: prev.Purpose, addr: prev.Email,
		accountID: prev.AccountID, sessionID: prev.SessionID, resend: true, afterPassword: prev.AfterPassword}
	if prev.AccountID == "" {
		return e.request(ctx, c, r)
	}
	acct, err := e.store.AccountByID(ctx, prev.AccountID)
	if err != nil {
		return Flow{}, internal("resend", err)
	}
	// A message confirming a new or recovery address goes to that
	// address, in the default language, not the account's.
	if prev.Purpose != otpd.PurposeChangeEmail && prev.Purpose != otpd.PurposeAddRecovery {
		c.lang = acct.Language
	}
	if prev.AfterPassword || (prev.Purpose != otpd.PurposeSignIn && prev.Purpose != otpd.PurposeResetPassword) {
		// A flow begun before the account was disabled resends the
		// notice, not a code.
		c.disabled = acct.Disabled()
		return e.request(ctx, c, r)
	}
	c.kept, c.disabled = acct.Email, acct.Disabled()
	c.silent = acct.CodeSignInOff && prev.Purpose == otpd.PurposeSignIn
	return e.guarded(ctx, c, acct, r)
}

func (e *Engine) latest(ctx context.Context, flowID string) (otpd.Challenge, error) {
	ch, err := e.store.LatestChallenge(ctx, flowID)
	if errors.Is(err, otpd.ErrNotFound) {
		return otpd.Challenge{}, &otpd.Error{Code: otpd.ENotFound, Field: "flow_id",
			Message: "this sign-in does not exist or has ended; start again"}
	}
	if err != nil {
		return otpd.Challenge{}, internal("find flow", err)
	}
	return ch, nil
}

// codeFor is what a code is asked for.
type codeFor struct {
	flowID  string
	purpose otpd.Purpose
	addr    otpd.Address
	// accountID is "" for an address without an account.
	accountID string
	// sessionID binds a step-up code to the session that asked for it.
	sessionID string
	resend    bool
	// kept is the address the account keeps, when addr names one. The
	// code goes there, never to addr, the spelling typed: the two share a
	// key, not necessarily a mailbox. addr stays what the flow shows, so
	// that the page does not reveal the account's spelling.
	kept otpd.Address
	// to, when set, receives the code instead of addr: the account's
	// recovery address. Limits and the guard still count for addr.
	to otpd.Address
	// afterPassword: a right password came first.
	afterPassword bool
	// lang is the language the account chose, for an email that goes to
	// the account's own addresses; "" (the server's default) for an
	// address without an account or not yet the account's. Never the
	// requester's browser's: whoever types an address does not choose
	// the language its owner reads.
	lang string
	// silent sends nothing: the account turned code-only sign-in off.
	// The flow still behaves like any other, so it reveals nothing.
	silent bool
	// held sends nothing either: the account is under attack and the
	// requester is a stranger.
	held bool
	// disabled sends the account's address a notice that an
	// administrator disabled it, instead of a code, even when code-only
	// sign-in is off: the flow behaves like any other, so the requester
	// learns nothing, and the owner learns why they cannot sign in.
	disabled bool
	// context is the requester's, for the send caps: the owner's
	// remembered devices have caps of their own, so that strangers
	// cannot spend them (see otpd.CodeRequest).
	context otpd.SignInContext
}

func (e *Engine) request(ctx context.Context, c codeFor, r Requester) (Flow, error) {
	f, _, err := e.send(ctx, c, r)
	return f, err
}

// send records a code request and queues its message, and returns the
// challenge it made.
func (e *Engine) send(ctx context.Context, c codeFor, r Requester) (Flow, otpd.Challenge, error) {
	refused, err := e.clientLimit(ctx, r)
	if err != nil {
		return Flow{}, otpd.Challenge{}, internal("client limits", err)
	}
	now := e.now()
	place := e.locate(r.IP).String()
	d, err := e.draft(c, r, now)
	if err != nil {
		return Flow{}, otpd.Challenge{}, err
	}
	// The message is made and sealed even when it will not be sent, so
	// that every request does the same work (invariant 6).
	msg, err := e.message(d.ch, d.kind, d.code, place, c.lang, r)
	if err != nil {
		return Flow{}, otpd.Challenge{}, err
	}
	var concerns string
	switch {
	case c.held || (c.silent && !c.disabled):
		msg = otpd.OutboxMessage{}
	case !c.to.IsZero():
		msg.To, concerns = c.to, c.to.Masked()
	case !c.kept.IsZero():
		msg.To = c.kept
	}
	req := otpd.CodeRequest{
		Challenge: d.ch, Message: msg, Limits: e.policy.Send, Context: c.context, Resend: c.resend, Refused: refused,
		Event: otpd.Event{ID: newID(), At: now, AccountID: c.accountID, Email: c.addr, FlowID: c.flowID,
			IP: r.IP, UserAgent: r.UserAgent, Place: place,
			Purpose: c.purpose, Resend: c.resend, Reason: d.noCode, Concerns: concerns},
	}
	err = e.store.RequestCode(ctx, req)
	e.requested(d, refused, err)
	if err != nil {
		return Flow{}, otpd.Challenge{}, limitError(err)
	}
	e.queued()
	return Flow{ID: c.flowID, ExpiresAt: d.ch.ExpiresAt, ResendAfter: now.Add(e.policy.Send.ResendCooldown)}, d.ch, nil
}

// drafted is a challenge about to be stored, with its code, the kind of
// message that carries it, and why no code will go out, if none will.
type drafted struct {
	ch     otpd.Challenge
	code   string
	kind   otpd.MessageKind
	noCode otpd.Reason
}

// draft makes the challenge of a request. When nothing may verify (no
// account and no sign-up, code-only sign-in off, or held back), its MAC is
// random, matching no code, and the flow still behaves like any other, so
// it reveals nothing.
func (e *Engine) draft(c codeFor, r Requester, now time.Time) (drafted, error) {
	d := drafted{kind: otpd.MessageCode, ch: otpd.Challenge{
		ID: newID(), FlowID: c.flowID, Purpose: c.purpose, Email: c.addr, AccountID: c.accountID,
		CreatedAt: now, ExpiresAt: now.Add(e.policy.CodeLifetime),
		MaxAttempts: e.policy.MaxAttempts, Status: otpd.StatusPending,
		IP: r.IP, UserAgent: r.UserAgent, SessionID: c.sessionID, AfterPassword: c.afterPassword,
	}}
	code, err := e.codes.New()
	if err != nil {
		return drafted{}, internal("new code", err)
	}
	d.code, d.ch.CodeMAC = code, e.codes.MAC(d.ch.ID, code)
	switch {
	case c.accountID == "" && (c.purpose != otpd.PurposeSignUp || !e.policy.SignUp):
		d.kind, d.noCode = otpd.MessageNoAccount, otpd.ReasonNoAccount
	case c.disabled:
		d.kind, d.noCode = otpd.MessageDisabled, otpd.ReasonDisabled
	case c.held:
		d.noCode = otpd.ReasonHeldBack
	case c.silent:
		d.noCode = otpd.ReasonCodeOff
	default:
		return d, nil
	}
	d.code, d.ch.CodeMAC = "", unmatchable()
	return d, nil
}

func (e *Engine) message(ch otpd.Challenge, kind otpd.MessageKind, code, place, lang string, r Requester) (otpd.OutboxMessage, error) {
	data, err := json.Marshal(otpd.MessageData{
		Code: code, Purpose: ch.Purpose, RequestedAt: ch.CreatedAt, ExpiresAt: ch.ExpiresAt,
		IP: r.IP, UserAgent: r.UserAgent, Place: place, Lang: lang, DenyToken: e.codes.DenyToken(ch.ID),
	})
	if err != nil {
		return otpd.OutboxMessage{}, internal("encode message", err)
	}
	sealed, err := e.codes.Seal(data)
	if err != nil {
		return otpd.OutboxMessage{}, internal("seal message", err)
	}
	msgID := fmt.Sprintf("<%s@%s>", ch.ID, e.policy.MessageIDDomain)
	return otpd.OutboxMessage{
		ID: newID(), ChallengeID: ch.ID, Kind: kind, To: ch.Email, Payload: sealed,
		MessageID: msgID, Ref: e.codes.MessageRef(msgID),
		CreatedAt: ch.CreatedAt, NotAfter: ch.ExpiresAt, NextAttempt: ch.CreatedAt,
		State: otpd.MessageQueued,
	}, nil
}

func unmatchable() []byte {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("signin: crypto/rand failed: %v", err))
	}
	return b
}

func limitError(err error) error {
	var le *otpd.LimitError
	if !errors.As(err, &le) {
		return internal("request code", err)
	}
	msg := "too many codes were requested for this address; try again later"
	switch le.Limit {
	case otpd.LimitCooldown:
		msg = "a code was sent moments ago; wait a little before asking for another"
	case otpd.LimitClient:
		msg = "too many codes were requested from your network; try again later"
	}
	return &otpd.Error{Code: otpd.ERateLimited, Message: msg, RetryAfter: le.RetryAfter}
}

// FlowState is what the code page shows about a flow.
type FlowState struct {
	Flow
	Email   otpd.Address
	Status  otpd.ChallengeStatus
	Purpose otpd.Purpose
	// AfterPassword marks a sign-in that a right password began, whose
	// code a factor may stand in for (VerifyFactor).
	AfterPassword bool
}

// Lookup returns the state of a flow's newest code.
func (e *Engine) Lookup(ctx context.Context, flowID string) (FlowState, error) {
	ch, err := e.latest(ctx, flowID)
	if err != nil {
		return FlowState{}, err
	}
	return FlowState{
		Flow:    Flow{ID: flowID, ExpiresAt: ch.ExpiresAt, ResendAfter: ch.CreatedAt.Add(e.policy.Send.ResendCooldown)},
		Email:   ch.Email,
		Status:  ch.Status,
		Purpose: ch.Purpose,

		AfterPassword: ch.AfterPassword,
	}, nil
}
