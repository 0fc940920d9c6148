package otpd

import (
	"context"
	"time"
)

// DevMessage is a message the dev mailbox keeps in a store, so that every
// node sharing the store shows every node's mail. Sealed is the whole
// message, code included, sealed under the server secret: a code never
// rests in clear in the database (invariant 1), not even a dev mailbox's.
type DevMessage struct {
	MessageID string
	To        Address
	At        time.Time
	Sealed    []byte
}

// DevMailStore keeps the dev mailbox's messages. Implementations are safe
// for concurrent use, also by several nodes sharing one database.
type DevMailStore interface {
	// KeepDevMessage stores m and, in the same transaction, drops all
	// but the newest keep messages; keep must be at least 1.
	KeepDevMessage(ctx context.Context, m DevMessage, keep int) error
	// DevMessages returns the kept messages newest first, those to the
	// address to only unless it is the zero Address, at most limit of
	// them (all for a limit of zero or less).
	DevMessages(ctx context.Context, to Address, limit int) ([]DevMessage, error)
	// DevMessage returns the newest kept message with a Message-ID.
	DevMessage(ctx context.Context, messageID string) (DevMessage, error)
}
