package otpd

import (
	"context"
	"fmt"
	"time"
)

// Store keeps accounts, challenges, sessions, events and the outbox. Every
// method that changes security state does so in one transaction, so that no
// number of goroutines or nodes can interleave between a check and its
// update (invariants 2, 3, 4 and 5). Times always come from the caller.
//
// Implementations are safe for concurrent use. Lookups that find nothing
// return an error wrapping ErrNotFound.
type Store interface {
	AccountByEmail(ctx context.Context, email Address) (Account, error)
	AccountByID(ctx context.Context, id string) (Account, error)

	// RequestCode records a code request. In one transaction it checks the
	// address's SendLimits (and, for a resend, the flow's cooldown); when
	// one refuses, it records req.Event as EventCodeRefused and returns a
	// *LimitError. Otherwise it supersedes the flow's pending challenge,
	// inserts req.Challenge, req.Message and req.Event as
	// EventCodeRequested.
	RequestCode(ctx context.Context, req CodeRequest) error

	// LatestChallenge returns the newest challenge of a flow.
	LatestChallenge(ctx context.Context, flowID string) (Challenge, error)
	// Challenge returns a challenge by its ID.
	Challenge(ctx context.Context, id string) (Challenge, error)
	// DenyChallenge records the owner's report that they did not ask for a
	// challenge's code, in one transaction: a pending challenge becomes
	// denied, so its code no longer verifies; one of any other status keeps
	// it. ev is recorded as EventCodeDenied, attached to the account of the
	// challenge's address if there is one. It returns the challenge as it
	// is afterwards.
	DenyChallenge(ctx context.Context, id string, ev Event) (Challenge, error)

	// VerifyCode checks a submitted code against a pending challenge and
	// counts the attempt, per code and per address, in one transaction. On
	// success it marks the challenge used, creates the account for a
	// sign-up, and creates the session, in that same transaction. It
	// records one event for the outcome (plus account_created and
	// session_started on success).
	VerifyCode(ctx context.Context, req VerifyRequest) (VerifyResult, error)

	SessionByTokenHash(ctx context.Context, hash []byte) (Session, error)
	// TouchSession moves a session's last-seen time forward.
	TouchSession(ctx context.Context, id string, at time.Time) error
	// EndSession ends an active session and records ev as
	// EventSessionEnded, in one transaction. Ending a session that has
	// already ended returns ErrNotFound.
	EndSession(ctx context.Context, id string, ev Event) error

	// Events returns an account's events, newest first.
	Events(ctx context.Context, accountID string, limit int) ([]Event, error)

	// ClaimMessages hands out up to limit queued messages that are due at
	// now and hides them from other claims until now+lease, so that a
	// worker that dies mid-send has its messages retried (at-least-once).
	ClaimMessages(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]OutboxMessage, error)
	// RetryMessage puts a claimed message back in the queue, due at next.
	RetryMessage(ctx context.Context, id string, next time.Time, lastError string) error
	// FinishMessage ends a message's delivery (sent, failed or
	// undeliverable) and wipes its payload.
	FinishMessage(ctx context.Context, id string, state MessageState, at time.Time, lastError string) error

	Close() error
}

// CodeRequest is everything RequestCode writes.
type CodeRequest struct {
	Challenge Challenge
	Message   OutboxMessage
	// Event is recorded as EventCodeRequested, or EventCodeRefused when a
	// limit refuses the request.
	Event  Event
	Limits SendLimits
	// Resend means Challenge.FlowID names an existing flow whose pending
	// challenge the new one supersedes after the cooldown.
	Resend bool
	// Refused, when set, is a refusal decided before the store, by a
	// limit on the client rather than the address: RequestCode only
	// records Event as EventCodeRefused and returns Refused.
	Refused *LimitError
}

// VerifyRequest is one submitted code.
type VerifyRequest struct {
	ChallengeID string
	// CodeMAC is the HMAC of the submitted code bound to ChallengeID.
	CodeMAC []byte
	Now     time.Time
	Guess   GuessLimits
	// Session is created on success; the store fills in AccountID.
	Session Session
	// NewAccountID is the ID a sign-up's account gets.
	NewAccountID string
	// Event carries the requester's context (IP, user agent, flow) for the
	// events recorded.
	Event Event
}

// VerifyResult is what VerifyCode decided.
type VerifyResult struct {
	Outcome   VerifyOutcome
	Challenge Challenge
	// AttemptsLeft, after a wrong code, is the lesser of what the code and
	// the account's budget still take.
	AttemptsLeft int
	// RetryAfter, when locked, is how long until the account's budget
	// refills.
	RetryAfter     time.Duration
	Account        Account
	Session        Session
	AccountCreated bool
}

// Limit names a send limit.
type Limit string

const (
	LimitPerHour  Limit = "per_hour"
	LimitPerDay   Limit = "per_day"
	LimitCooldown Limit = "cooldown"
	// LimitClient covers the limits on who asks rather than for whom: per
	// IP, per network, and the service-wide ceiling on messages.
	LimitClient Limit = "client"
)

// LimitError is returned by RequestCode when a send limit refuses.
type LimitError struct {
	Limit      Limit
	RetryAfter time.Duration
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("send limit %s reached; retry after %s", e.Limit, e.RetryAfter)
}
