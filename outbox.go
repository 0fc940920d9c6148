package otpd

import (
	"context"
	"time"
)

// MessageKind selects the template a queued message is composed with.
type MessageKind string

const (
	// MessageCode carries a single-use code.
	MessageCode MessageKind = "code"
	// MessageNoAccount tells an address without an account that someone
	// asked for a code for it: to sign in while sign-up is closed, or to
	// reset a password. It carries no code.
	MessageNoAccount MessageKind = "no_account"
	// MessagePasswordChanged tells the address that its account's
	// password was set, changed, reset or removed. It carries no code.
	MessagePasswordChanged MessageKind = "password_changed"
	// MessageEmailChanged tells the old primary address that the account
	// moved to another; its link undoes the change for 7 days. It
	// carries no code.
	MessageEmailChanged MessageKind = "email_changed"
	// MessageUnderAttack tells the owner, once per campaign, that codes
	// are being asked for their account from scattered places and are
	// held back. It carries no code.
	MessageUnderAttack MessageKind = "under_attack"
	// MessageAppAuthorized tells the owner that an app got access to the
	// account for the first time: which app, what it can see, when and
	// from where. It carries no code and no link: someone who did not do
	// it opens otpd the way they always do and removes the app under App
	// permissions.
	MessageAppAuthorized MessageKind = "app_authorized"
	// MessageDisabled answers a code request for an account an
	// administrator disabled: it tells the owner so, and whom to ask,
	// instead of giving a code. Only the account's own address gets it,
	// so the requester learns nothing.
	MessageDisabled MessageKind = "account_disabled"
	// MessageMethodChanged tells the owner that a sign-in method was
	// added or removed, or that a recovery code was used (Change says
	// which). It carries no code and no link, as MessageAppAuthorized.
	MessageMethodChanged MessageKind = "method_changed"
)

// MethodChanges are the values of MessageData.Change a method_changed
// notice knows: a kind of method and what happened to it.
var MethodChanges = []string{"totp_added", "totp_removed", "recovery_codes_added", "recovery_codes_removed", "recovery_code_used"}

// MessageState is where a queued message is in delivery.
type MessageState string

const (
	MessageQueued        MessageState = "queued"
	MessageSent          MessageState = "sent"
	MessageFailed        MessageState = "failed"
	MessageUndeliverable MessageState = "undeliverable"
)

// OutboxMessage is a message queued in the same transaction as its challenge
// (invariant 4). Payload is sealed (encrypted and authenticated under a
// server secret) because it holds the code until the message is sent; it is
// wiped once delivery ends.
type OutboxMessage struct {
	ID string
	// ChallengeID is the challenge the message is about; "" for a notice
	// no code led to (MessageAppAuthorized).
	ChallengeID string
	// MessageID is the RFC 5322 Message-ID, stable across retries.
	MessageID string
	// Ref is the message's reference (Codes.MessageRef of MessageID),
	// shown in it and kept, so that whoever holds the message can ask
	// whether otpd sent it. "" in a message queued before references.
	Ref       string
	Kind      MessageKind
	To        Address
	Payload   []byte
	CreatedAt time.Time
	// NotAfter: past it the message is pointless (its code has expired).
	NotAfter    time.Time
	NextAttempt time.Time
	Attempts    int
	State       MessageState
	LastError   string
}

// Email is a composed message, ready for a Mailer.
type Email struct {
	MessageID string
	// Ref is the message's reference, for its text and the RefHeader.
	Ref     string
	From    string
	To      Address
	Subject string
	Date    time.Time
	Text    string
	HTML    string
}

// Mailer delivers a composed message. Implementations must be safe for
// concurrent use. An error wrapping *PermanentError means retrying will not help.
type Mailer interface {
	Send(ctx context.Context, m Email) error
}

// PermanentError marks a delivery failure that retrying will not mend, such
// as an SMTP 5xx reply.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return "permanent delivery failure: " + e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// MessageData is what a queued message is composed from. It is stored only
// sealed, inside OutboxMessage.Payload, because Code is the code in clear.
type MessageData struct {
	Code        string    `json:"code,omitempty"`
	Purpose     Purpose   `json:"purpose"`
	RequestedAt time.Time `json:"requested_at"`
	ExpiresAt   time.Time `json:"expires_at"`
	IP          string    `json:"ip"`
	UserAgent   string    `json:"user_agent"`
	// Place is the requester's approximate place ("Lagos, Nigeria"), or
	// empty when unknown.
	Place string `json:"place,omitempty"`
	// Lang is the requester's Accept-Language when the code was requested;
	// the message is written in the best match among its translations.
	Lang string `json:"lang,omitempty"`
	// DenyToken goes into the message's one link, "This wasn't me": it
	// names the challenge and proves the link came from us.
	DenyToken string `json:"deny_token,omitempty"`
	// Change says, in a password_changed notice, what happened: "set",
	// "changed", "removed" or "reset"; in a method_changed notice, one
	// of MethodChanges.
	Change string `json:"change,omitempty"`
	// NewEmail, in an email_changed notice, is the address the account
	// moved to, masked (j•••@example.com).
	NewEmail string `json:"new_email,omitempty"`
	// Requests and Places, in an under_attack notice, say how many code
	// requests revealed the campaign and from where.
	Requests int      `json:"requests,omitempty"`
	Places   []string `json:"places,omitempty"`
	// App and Scopes, in an app_authorized notice, name the app that got
	// access and the scopes it was granted.
	App    string   `json:"app,omitempty"`
	Scopes []string `json:"scopes,omitempty"`
}
