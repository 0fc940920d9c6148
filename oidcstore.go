package otpd

import (
	"context"
	"time"
)

// AppStore keeps the apps added with the command line. Apps declared in
// the configuration file are not stored: the provider looks there first.
type AppStore interface {
	// SaveApp adds an app; ErrAppExists when its ID is taken.
	SaveApp(ctx context.Context, app App) error
	// App returns a stored app.
	App(ctx context.Context, id string) (App, error)
	// Apps returns every stored app, by ID.
	Apps(ctx context.Context) ([]App, error)
	// SetAppSecret replaces a confidential app's secret hash.
	SetAppSecret(ctx context.Context, id string, hash []byte) error
	// RemoveApp removes an app and, in the same transaction, everything
	// it was given: its grants, the tokens it holds and its pending
	// requests, so that nothing issued to it works a moment longer.
	RemoveApp(ctx context.Context, id string, at time.Time) error
}

// SigningKeyStore keeps the keys that sign ID tokens, shared by every
// node.
type SigningKeyStore interface {
	// SigningKeys returns the keys published at now (not expired),
	// newest first.
	SigningKeys(ctx context.Context, now time.Time) ([]SigningKey, error)
	// EnsureSigningKey inserts candidate when no key signs at now, and
	// returns the published keys. Every node calls it at its first start,
	// at once: the insert is decided under a lock, so one key wins and
	// every node signs with it.
	EnsureSigningKey(ctx context.Context, candidate SigningKey, now time.Time) ([]SigningKey, error)
	// RotateSigningKey inserts next, which signs from next.SignsFrom,
	// when the newest key was created more than every before now, and
	// sets the keys it replaces to expire keep after next.SignsFrom, once
	// every token they signed has expired. It reports whether it rotated:
	// of several nodes, one does, and the others find a fresh key.
	RotateSigningKey(ctx context.Context, next SigningKey, now time.Time, every, keep time.Duration) (bool, error)
}

// AuthorizationStore keeps authorization requests and the tokens they
// lead to. Every write is one transaction; where several rows are locked,
// the order is grant, then token family, then token, on every path.
type AuthorizationStore interface {
	// CreateAuthRequest inserts a new, pending request.
	CreateAuthRequest(ctx context.Context, req AuthRequest) error
	// AuthRequest returns a request in whatever state it is: whether it
	// may still be used is the caller's decision (AuthRequest.Pending).
	AuthRequest(ctx context.Context, id string) (AuthRequest, error)
	// CompleteAuthRequest marks a request pending at c.Now done for an
	// account and session. In the same transaction it either records the
	// person's consent (the grant, its scopes widened to the request's,
	// c.Event as EventAppAuthorized when it is new or wider, and c.Notice
	// when it is new: the account had no grant to the app), or,
	// without consent, re-checks that a grant covers the request's scopes
	// (ErrConsentRequired), so that access removed a moment before is
	// never bypassed. A request no longer pending is ErrNotFound.
	CompleteAuthRequest(ctx context.Context, c CompleteRequest) (AuthRequest, error)
	// DenyAuthRequest marks a pending request refused by the person.
	DenyAuthRequest(ctx context.Context, id string, at time.Time) error
	// SaveAuthCode gives a completed request its code (its hash), once.
	SaveAuthCode(ctx context.Context, id string, codeHash []byte, expires, now time.Time) error
	// AuthRequestByCode returns the request a code was issued for,
	// redeemed or not.
	AuthRequestByCode(ctx context.Context, codeHash []byte) (AuthRequest, error)
	// RedeemCode spends a code and issues its tokens in one transaction:
	// of any number of concurrent redemptions, on any node, one gets the
	// tokens. A code redeemed before gets ErrCodeUsed and, since it has
	// leaked, revokes what it issued and records r.Event as
	// EventTokenReused; an expired one, or one of another app, gets
	// ErrCodeUsed alone. Without a grant covering its scopes (removed
	// since) it is ErrConsentRequired.
	RedeemCode(ctx context.Context, r RedeemRequest) (Issued, error)
	// RefreshToken returns a refresh token by its hash, with its family's
	// state.
	RefreshToken(ctx context.Context, hash []byte) (RefreshToken, error)
	// RotateRefreshToken spends a refresh token and issues its successor
	// and an access token, in one transaction. A spent token presented
	// again revokes its family and records r.Event as EventTokenReused
	// (once per family), and is ErrTokenReused; so is the loser of two
	// concurrent rotations. A token expired, revoked, of another app or
	// whose grant was removed is ErrNotFound.
	RotateRefreshToken(ctx context.Context, r RotateRequest) (Issued, error)
	// AccessToken returns an access token active at now: unexpired,
	// unrevoked, of a live family whose grant stands. Any other is
	// ErrNotFound.
	AccessToken(ctx context.Context, id string, now time.Time) (AccessToken, error)
	// RevokeToken revokes an app's token by its ID: a refresh token's
	// whole family, or one access token. A token of another app is
	// ErrNotFound.
	RevokeToken(ctx context.Context, clientID, id string, at time.Time) error
}

// GrantStore keeps what people let apps have.
type GrantStore interface {
	// Grant returns an account's grant to an app.
	Grant(ctx context.Context, accountID, clientID string) (Grant, error)
	// Grants returns an account's grants, first granted first.
	Grants(ctx context.Context, accountID string) ([]Grant, error)
	// RevokeGrant removes an account's grant to an app, revokes every
	// token the app holds for the account and records ev as
	// EventAppRemoved, in one transaction (invariant 9: only that
	// account's).
	RevokeGrant(ctx context.Context, accountID, clientID string, ev Event) error
}

// OIDCStore is what the OpenID Connect provider uses of a Store.
type OIDCStore interface {
	AppStore
	SigningKeyStore
	AuthorizationStore
	GrantStore
	// AccountStore gives the address an ID token and userinfo carry.
	AccountStore
}

// CompleteRequest is a person's completion of an authorization request.
type CompleteRequest struct {
	ID        string
	AccountID string
	SessionID string
	AuthTime  time.Time
	AMR       []string
	ACR       string
	// Consent records the person's consent to the request's scopes.
	Consent bool
	Now     time.Time
	// Event is recorded as EventAppAuthorized when consent makes or
	// widens the grant.
	Event Event
	// Notice, when set, tells the owner that an app got access to the
	// account: it is queued only when consent makes a new grant, never
	// when it widens or repeats one, and always to the address the
	// account keeps (its To is replaced by that address).
	Notice *OutboxMessage
}

// RedeemRequest is an app's exchange of a code for tokens. The store
// fills in what the request holds (account, session, scopes, auth time).
type RedeemRequest struct {
	CodeHash []byte
	ClientID string
	Now      time.Time
	// FamilyID names the new token family.
	FamilyID string
	Access   AccessToken
	// Refresh is nil unless offline access was granted.
	Refresh *RefreshToken
	// Until ends the family: no refresh token that grows from it lasts
	// longer, however often it is rotated. It may be later than Refresh's
	// expiry, which is how long the first token may wait unused. Zero
	// ends the family with its first tokens.
	Until time.Time
	// Event carries the context of the EventTokenReused a replay records.
	Event Event
}

// RotateRequest is an app's exchange of a refresh token.
type RotateRequest struct {
	Hash     []byte
	ClientID string
	Now      time.Time
	// Scopes are what the app asked for now, within the token's.
	Scopes []string
	// Next's ExpiresAt is cut to its family's end.
	Next   RefreshToken
	Access AccessToken
	Event  Event
}
