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
