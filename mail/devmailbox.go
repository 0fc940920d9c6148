package mail

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/otpd/otpd"
)

// DefaultDevMailboxSize is how many messages a DevMailbox keeps: enough for
// a day of trying things by hand, small enough to bound memory when a test
// or a script sends in a loop.
const DefaultDevMailboxSize = 500

// DevMailbox is an otpd.Mailer for development: instead of sending, it
// keeps the last Size messages in memory, where a local page or a test can
// read them.
//
// It holds codes in clear, in memory, by design: it stands in for the
// recipient's inbox, which is where a code is meant to arrive. It must
// never be used where real people sign in, and the server says so loudly
// at start-up when it is.
//
// The zero value is ready to use. A DevMailbox is safe for concurrent use.
type DevMailbox struct {
	// Size bounds the messages kept; older ones are dropped. Zero means
	// DefaultDevMailboxSize. Set it before the first Send.
	Size int

	// Render, when set, turns each message into the raw bytes a real
	// Mailer would send (MIME, DKIM-signed), so that development
	// exercises and shows the whole path. Set it before the first Send.
	Render func(otpd.Email) ([]byte, error)

	mu sync.Mutex
	// msgs is a ring of at most Size messages; next is where the next
	// one goes, so the newest is just before it.
	msgs []kept
	next int
}

// kept is a message in the ring, with its raw form when Render is set.
type kept struct {
	email otpd.Email
	raw   []byte
}

// Send keeps m, dropping the oldest message when the mailbox is full. It
// fails only when ctx is already done, as a real Mailer would.
func (d *DevMailbox) Send(ctx context.Context, m otpd.Email) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	k := kept{email: m}
	if d.Render != nil {
		raw, err := d.Render(m)
		if err != nil {
			// A message that cannot be rendered never will be.
			return &otpd.PermanentError{Err: fmt.Errorf("mail: dev mailbox: render %s: %w", m.MessageID, err)}
		}
		k.raw = raw
	}
	size := d.Size
	if size <= 0 {
		size = DefaultDevMailboxSize
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.msgs) < size {
		d.msgs = append(d.msgs, k)
		d.next = len(d.msgs) % size
		return nil
	}
	d.msgs[d.next] = k
	d.next = (d.next + 1) % size
	return nil
}

// Messages returns the kept messages, newest first. When to is not empty,
// it returns only those sent to that address, compared as otpd.Address
// keys (so case does not matter); a to that is not an address matches
// nothing. The result is a copy the caller may keep.
func (d *DevMailbox) Messages(to string) []otpd.Email {
	var key string
	if to != "" {
		addr, err := otpd.ParseAddress(to)
		if err != nil {
			return nil
		}
		key = addr.Key()
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	// Oldest first: the ring from next to its end, then from its start.
	ordered := append(slices.Clone(d.msgs[d.next:]), d.msgs[:d.next]...)
	var out []otpd.Email
	for _, k := range slices.Backward(ordered) {
		if key == "" || k.email.To.Key() == key {
			out = append(out, k.email)
		}
	}
	return out
}

// Raw returns the raw form of the newest kept message with the given
// Message-ID, when Render made one.
func (d *DevMailbox) Raw(messageID string) ([]byte, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, k := range d.msgs {
		if k.email.MessageID == messageID && k.raw != nil {
			return slices.Clone(k.raw), true
		}
	}
	return nil, false
}
