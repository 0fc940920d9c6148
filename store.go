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
//
// Store is its roles together, one interface each, so that a part that
// uses one (the outbox worker, the retention job) names only that; the
// one conformance suite, storetest, runs them all.
type Store interface {
	AccountStore
	ChallengeStore
	SessionStore
	GuardStore
	EventStore
	DeviceStore
	CampaignStore
	OutboxStore
	WebhookStore
	SentMessageStore
	ForgeryStore
	Pruner
	// The dev mailbox keeps its messages in the store, for every node to
	// show.
	DevMailStore
	// Apps that sign people in with OpenID Connect, and the keys that
	// sign their ID tokens.
	AppStore
	SigningKeyStore
	AuthorizationStore
	GrantStore
	AdminStore
	// Methods accounts add: an authenticator app, recovery codes.
	MethodStore

	Close() error
}

// AccountStore keeps accounts and what their owners set.
type AccountStore interface {
	AccountByEmail(ctx context.Context, email Address) (Account, error)
	AccountByID(ctx context.Context, id string) (Account, error)

	// SetPassword sets or removes an account's password, records the
	// change's event and queues its notice, in one transaction.
	SetPassword(ctx context.Context, req PasswordChange) error

	// SetLanguage keeps the tag of the language an account chose for its
	// pages and emails; "" forgets the choice.
	SetLanguage(ctx context.Context, accountID, tag string) error

	// SetCodeSignIn turns code-only sign-in on or off and records ev, in
	// one transaction.
	SetCodeSignIn(ctx context.Context, accountID string, on bool, ev Event) error

	// RecordSignIn keeps where an account's sign-in came from: its time
	// and place become the account's last, and its country a known one.
	RecordSignIn(ctx context.Context, accountID string, at time.Time, place Place) error

	// UndoEmailChange moves an account back to the address it had before
	// the change that challengeID confirmed, ends every session of the
	// account and records ev, in one transaction. It returns ErrNotFound
	// when there is no such change, it was undone already or its
	// UndoUntil has passed, and ErrAddressTaken when another account has
	// the old address now.
	UndoEmailChange(ctx context.Context, challengeID string, ev Event) (Account, error)

	// RemoveRecovery removes an account's recovery address and records ev.
	RemoveRecovery(ctx context.Context, accountID string, ev Event) error
}

// ChallengeStore keeps the codes asked for (challenges) and decides the
// codes submitted.
type ChallengeStore interface {
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
	// it. ev is recorded as EventCodeDenied, attached to the challenge's
	// account, or, for a challenge without one (a sign-up), to the account
	// of its address if there is one (invariant 9). It returns the
	// challenge as it is afterwards.
	DenyChallenge(ctx context.Context, id string, ev Event) (Challenge, error)

	// VerifyCode checks a submitted code against a pending challenge and
	// counts the attempt, per code and per address, in one transaction;
	// a code that confirms a new address for an account counts against
	// that address apart from its sign-ins, whose budget another
	// account's flow must not spend (invariant 9). On success it marks
	// the challenge used and applies it in that same transaction: a
	// sign-in or sign-up creates the session (and the account, which a
	// sign-up's challenge names from then on), a reset also sets the
	// password, a step-up marks the session, a change of address moves
	// the account to the challenge's address (ErrAddressTaken when
	// another account has it; nothing is changed then), and a recovery
	// address is added. It records one event for the outcome, and one for
	// what the code did. (A right code submitted CheckOnly does none of
	// that: see VerifyRequest.)
	VerifyCode(ctx context.Context, req VerifyRequest) (VerifyResult, error)

	// UnusedChallenges returns the challenges of an address made at or
	// after since that never verified, newest first, at most limit.
	UnusedChallenges(ctx context.Context, email Address, since time.Time, limit int) ([]Challenge, error)

	// RequestIPs returns the IPs of the code requests for an address made
	// since since (refused ones included), newest first, at most limit.
	RequestIPs(ctx context.Context, email Address, since time.Time, limit int) ([]string, error)
}

// SessionStore keeps sessions.
type SessionStore interface {
	SessionByTokenHash(ctx context.Context, hash []byte) (Session, error)

	// TouchSession moves a session's last-seen time forward.
	TouchSession(ctx context.Context, id string, at time.Time) error

	// EndSession ends an active session and records ev as
	// EventSessionEnded, in one transaction. Ending a session that has
	// already ended returns ErrNotFound.
	EndSession(ctx context.Context, id string, ev Event) error

	// Sessions returns an account's sessions that have not been ended,
	// newest first.
	Sessions(ctx context.Context, accountID string) ([]Session, error)

	// EndSessionsFrom ends an account's active sessions that started from
	// ip at or after since and, when any ended, records ev, in one
	// transaction; it returns how many ended.
	EndSessionsFrom(ctx context.Context, accountID, ip string, since time.Time, ev Event) (int, error)

	// EndSessions ends every active session of an account except keep,
	// records ev, in one transaction, and returns how many ended.
	EndSessions(ctx context.Context, accountID, keep string, ev Event) (int, error)

	// StartSession creates a session that a password alone signed in,
	// recording evs with it, in one transaction; ErrNotFound when the
	// account is gone or disabled.
	StartSession(ctx context.Context, s Session, evs []Event) error
}

// GuardStore keeps the guards: the failures counted per address and
// context, and how long an account under attack needs a code after its
// password.
type GuardStore interface {
	// ReserveAttempt counts a password attempt against a guard before the
	// password is checked, in one transaction, so that no number of
	// concurrent attempts checks more passwords than the limits allow. A
	// guard that is locked counts nothing and answers with RetryAfter.
	ReserveAttempt(ctx context.Context, key GuardKey, now time.Time, lim GuessLimits) (Attempt, error)

	// ForgiveAttempt takes back a reserved attempt whose password was
	// right, and lifts the lockout it started if no later failure has
	// replaced it.
	ForgiveAttempt(ctx context.Context, key GuardKey, a Attempt) error

	// RaiseGuard makes the account's guard last at least until until.
	RaiseGuard(ctx context.Context, accountID string, until time.Time) error
}

// EventStore keeps the security events.
type EventStore interface {
	// Events returns an account's events, newest first.
	Events(ctx context.Context, accountID string, limit int) ([]Event, error)

	// RecordEvent records one event on its own.
	RecordEvent(ctx context.Context, ev Event) error
}

// DeviceStore keeps the devices an account remembers.
type DeviceStore interface {
	// SaveDevice remembers a device for its account, or moves when and
	// where it was last seen forward, never back. ev, when set, is
	// recorded with it.
	SaveDevice(ctx context.Context, d Device, ev *Event) error

	// Device returns one of an account's remembered devices.
	Device(ctx context.Context, accountID, id string) (Device, error)

	// Devices returns an account's remembered devices, last seen first.
	Devices(ctx context.Context, accountID string) ([]Device, error)

	// ForgetDevice forgets a device and records ev, in one transaction.
	ForgetDevice(ctx context.Context, accountID, id string, ev Event) error
}

// CampaignStore keeps the attacks an account was under.
type CampaignStore interface {
	// StartCampaign marks an account under attack with c (its ID,
	// StartedAt, Until and first counts), records ev and queues notice,
	// in one transaction. When a campaign is on already, it does nothing
	// and returns ErrCampaignOn, so that the owner is told once.
	StartCampaign(ctx context.Context, c Campaign, ev Event, notice *OutboxMessage) error

	// CountCampaign adds a held-back request from place at at to the
	// account's campaign and moves its Until to at least until.
	CountCampaign(ctx context.Context, accountID string, at time.Time, place string, until time.Time) error

	// Campaigns returns an account's campaigns, newest first.
	Campaigns(ctx context.Context, accountID string) ([]Campaign, error)
}

// OutboxStore keeps the messages to send, for the outbox worker.
type OutboxStore interface {
	// ClaimMessages hands out up to limit queued messages that are due at
	// now and hides them from other claims until now+lease, so that a
	// worker that dies mid-send has its messages retried (at-least-once).
	ClaimMessages(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]OutboxMessage, error)

	// RetryMessage puts a claimed message back in the queue, due at next.
	RetryMessage(ctx context.Context, id string, next time.Time, lastError string) error

	// FinishMessage ends a message's delivery (sent, failed or
	// undeliverable) and wipes its payload.
	FinishMessage(ctx context.Context, id string, state MessageState, at time.Time, lastError string) error

	// FinishSent ends the delivery of the queued messages among ids as
	// sent, wiping their payloads, in one transaction, and returns how
	// many it ended: a message whose delivery had already ended is left
	// as it was.
	FinishSent(ctx context.Context, ids []string, at time.Time) (int, error)
}

// Pruner deletes what retention no longer keeps.
type Pruner interface {
	// Prune deletes what retention no longer keeps (see PruneRequest), in
	// one transaction. Several nodes may call it at once: one prunes, and
	// the others skip the round rather than wait.
	Prune(ctx context.Context, req PruneRequest) (PruneResult, error)
}

// CodeRequest is everything RequestCode writes.
type CodeRequest struct {
	Challenge Challenge
	// Message is not queued when its ID is empty: a request that sends
	// nothing (code-only sign-in is off, or the account is under attack)
	// still leaves its challenge and event.
	Message OutboxMessage
	// Event is recorded as EventCodeRequested, or EventCodeRefused when a
	// limit refuses the request.
	Event  Event
	Limits SendLimits
	// Context is the requester's. The caps count every request that was
	// not refused, whether it sent a code, a notice or nothing, so that
	// what a limit does next does not tell whether the address has an
	// account (invariant 6). They count per mailbox (Address.MailboxKey),
	// so sub-addresses share one inbox's caps, and per context: requests
	// from the account's remembered devices apart from all others, so
	// that strangers cannot spend the owner's.
	Context SignInContext
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
	// Event carries the requester's context (IP, user agent, place, flow)
	// for the events recorded.
	Event Event
	// Context selects the guard the attempt counts against, and Guess is
	// that context's limits.
	Context SignInContext
	// StepUpSession is the session submitting a step-up, change-of-address
	// or recovery code; such a code verifies only in the session that
	// asked for it, and a step-up marks it instead of starting a session.
	StepUpSession string
	// PasswordHash is the new password a reset code sets; a reset code
	// does not verify without one (or CheckOnly). When it verifies, every
	// other session of the account ends, and Notice tells the address.
	// Notice also tells the old address of a change of address.
	PasswordHash string
	Notice       *OutboxMessage
	// CheckOnly decides the code as always, a wrong one counted in the
	// same transaction, but a right one changes nothing: the answer is
	// OutcomeMatched and the challenge stays pending. A reset asks this
	// first and hashes its new password only for a code known right, then
	// verifies again with the hash; only that verify consumes the code,
	// in the transaction that applies it.
	CheckOnly bool
	// UndoUntil is how long the old address can undo a change of address.
	UndoUntil time.Time
	// SignedInFrom, when set and the code verifies, is recorded as the
	// account's latest sign-in (what RecordSignIn does) in the same
	// transaction; if that cannot be written, nothing is, and the code
	// stays unused.
	SignedInFrom *Place
}

// PasswordChange is everything SetPassword writes. Hash "" removes the
// password. An Event without an ID is not recorded: re-hashing a password
// with new parameters changes nothing the owner needs to see. When EndSessions is set, every active session of the account
// except Keep ends.
type PasswordChange struct {
	AccountID   string
	Hash        string
	Event       Event
	EndSessions bool
	Keep        string
	// Notice, when set, is queued in the same transaction.
	Notice *OutboxMessage
}

// GuardKey names one account's failure count in one context.
type GuardKey struct {
	Email   Address
	Context SignInContext
}

func (k GuardKey) String() string { return string(k.Context) + ":" + k.Email.Key() }

// Attempt is what ReserveAttempt decided.
type Attempt struct {
	// RetryAfter, when positive, means the guard is locked and the
	// attempt was not counted.
	RetryAfter time.Duration
	// Failures is the guard's count in its window, this attempt included.
	Failures int
	// LockedUntil is when the lockout this attempt would start, should it
	// fail, ends.
	LockedUntil time.Time
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
