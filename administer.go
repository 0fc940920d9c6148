package otpd

import (
	"context"
	"time"
)

// AdminScope is what an admin token may do: read only looks (list, show,
// export); write also changes accounts (disable, enable, delete, sign out,
// unlock).
type AdminScope string

const (
	ScopeAdminRead  AdminScope = "read"
	ScopeAdminWrite AdminScope = "write"
)

// Valid reports whether s is a scope an admin token can have.
func (s AdminScope) Valid() bool { return s == ScopeAdminRead || s == ScopeAdminWrite }

// AdminToken is a bearer credential of the admin API. Only the SHA-256
// of the token is kept; the token itself is shown once when made.
type AdminToken struct {
	ID        string
	Name      string
	Scope     AdminScope
	Hash      []byte
	CreatedAt time.Time
	// RevokedAt, when set, is when the token stopped working.
	RevokedAt time.Time
}

// AccountState selects accounts by whether they are disabled.
type AccountState string

const (
	StateAny      AccountState = ""
	StateActive   AccountState = "active"
	StateDisabled AccountState = "disabled"
)

// Valid reports whether s is a state accounts can be listed by.
func (s AccountState) Valid() bool { return s == StateAny || s == StateActive || s == StateDisabled }

// AccountQuery is one page of the account list, ordered by ID: the
// accounts after After, at most Limit, in State.
type AccountQuery struct {
	State AccountState
	After string
	Limit int
}

// EmailChange is one change of an account's sign-in address.
type EmailChange struct {
	Old, New  Address
	ChangedAt time.Time
	UndoUntil time.Time
	UndoneAt  time.Time
}

// GuardState is one context's count of failures against an account's
// address.
type GuardState struct {
	Key         string
	Wrong       int
	WindowStart time.Time
	LockedUntil time.Time
}

// OutboxRecord is a message sent or queued to an account, without what
// it carried.
type OutboxRecord struct {
	Kind       MessageKind
	To         Address
	State      MessageState
	CreatedAt  time.Time
	FinishedAt time.Time
}

// AccountData is everything a store keeps about one account, for its
// owner's right of access. Sessions carry token hashes and challenges
// their MACs here: whoever shows it leaves those out.
type AccountData struct {
	Account      Account
	Sessions     []Session
	Devices      []Device
	Events       []Event
	Challenges   []Challenge
	Messages     []OutboxRecord
	EmailChanges []EmailChange
	Campaigns    []Campaign
	Grants       []Grant
	Guards       []GuardState
	// Methods are the account's added sign-in methods; their secrets
	// are read but never exported.
	Methods []Method
}

// DisableRequest is everything SetDisabled writes.
type DisableRequest struct {
	AccountID string
	// Disabled true disables the account at Event.At, false enables it.
	Disabled bool
	// Event is recorded on the account, as EventAccountDisabled or
	// EventAccountEnabled.
	Event Event
}

// AdminStore is what the administration of accounts needs.
type AdminStore interface {
	// ListAccounts returns a page of accounts (see AccountQuery).
	ListAccounts(ctx context.Context, q AccountQuery) ([]Account, error)

	// SetDisabled disables or enables an account and records req.Event,
	// in one transaction that holds the address's lock. Disabling also
	// ends every session and revokes every token its apps hold; its
	// pending challenges stay pending (closing them would tell a stranger
	// holding a flow for the address that it has an account), and a right
	// code of a disabled account signs nobody in. It returns ErrNotFound for
	// no such account; disabling a disabled account (or enabling an
	// enabled one) changes nothing and records nothing.
	SetDisabled(ctx context.Context, req DisableRequest) (Account, bool, error)

	// DeleteAccount erases an account and everything personal kept about
	// it, in one transaction that holds its addresses' locks: sessions,
	// devices, challenges and their messages, notices to its addresses,
	// the dev mailbox's letters to them, guards, campaigns, address
	// changes, app grants, tokens and authorization requests, its
	// events, and the account row with its password hash. Its events
	// survive only as counts per type and day (with EventAccountDeleted
	// counted once), which name no account. Afterwards the address can
	// sign up as a new account.
	DeleteAccount(ctx context.Context, accountID string, at time.Time) error

	// AccountData returns everything kept about an account.
	AccountData(ctx context.Context, accountID string) (AccountData, error)

	// Unlock clears the failures counted against the account's address
	// in every context, its raised guard and its campaign, and records
	// ev, in one transaction.
	Unlock(ctx context.Context, accountID string, ev Event) error

	// EventCounts returns the anonymous counts deleted accounts left, by
	// day (UTC, as days since 1970-01-01) and event type.
	EventCounts(ctx context.Context) ([]EventCount, error)

	// SaveAdminToken keeps a new admin token.
	SaveAdminToken(ctx context.Context, t AdminToken) error
	// AdminTokenByHash finds an admin token, revoked or not, by its hash.
	AdminTokenByHash(ctx context.Context, hash []byte) (AdminToken, error)
	// AdminTokens lists every admin token, oldest first.
	AdminTokens(ctx context.Context) ([]AdminToken, error)
	// RevokeAdminToken revokes a token; ErrNotFound when there is none
	// of that ID that is not revoked yet.
	RevokeAdminToken(ctx context.Context, id string, at time.Time) error
}

// EventCount is how many events of one type a deleted account had on one
// day.
type EventCount struct {
	Day   int64
	Type  EventType
	Count int
}
