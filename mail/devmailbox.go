package mail

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/otpd/otpd"
)

// DefaultDevMailboxSize is how many messages a DevMailbox keeps: enough for
// a day of trying things by hand, small enough to bound memory when a test
// or a script sends in a loop.
const DefaultDevMailboxSize = 500

// DevMailbox is an otpd.Mailer for development: instead of sending, it
// keeps the newest Size messages where a local page or a test can read
// them: in a Store, which every node sharing the database reads, or in
// this process's memory.
//
// It stands in for the recipient's inbox, which is where a code is meant
// to arrive, so it shows codes by design. It must never be used where real
// people sign in, and the server says so loudly at start-up when it is.
// In memory it holds codes in clear; in a Store every message is sealed
// first, because a code never rests in clear in a database (invariant 1).
//
// The zero value keeps messages in memory and is ready to use. A
// DevMailbox is safe for concurrent use.
type DevMailbox struct {
	// Size bounds the messages kept; older ones are dropped. Zero means
	// DefaultDevMailboxSize. Set it before the first Send.
	Size int

	// Render, when set, turns each message into the raw bytes a real
	// Mailer would send (MIME, DKIM-signed), so that development
	// exercises and shows the whole path. Set it before the first Send.
	Render func(otpd.Email) ([]byte, error)

	// Store, when set, keeps the messages, each sealed with Seal and
	// read back with Open, which must be set with it. Set them before the
	// first Send.
	Store otpd.DevMailStore
	Seal  func(plaintext []byte) ([]byte, error)
	Open  func(sealed []byte) ([]byte, error)

	memOnce sync.Once
	mem     *memoryShelf
}

// letter is what a kept message holds, sealed when it goes to a Store.
type letter struct {
	MessageID string    `json:"message_id"`
	Ref       string    `json:"ref,omitempty"`
	From      string    `json:"from"`
	To        string    `json:"to"`
	Subject   string    `json:"subject"`
	Date      time.Time `json:"date"`
	Text      string    `json:"text"`
	HTML      string    `json:"html"`
	Raw       []byte    `json:"raw,omitempty"`
}

// Send keeps m, dropping the oldest message when the mailbox is full. It
// fails when ctx is already done, as a real Mailer would.
func (d *DevMailbox) Send(ctx context.Context, m otpd.Email) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	l := letter{MessageID: m.MessageID, Ref: m.Ref, From: m.From, To: m.To.String(), Subject: m.Subject, Date: m.Date, Text: m.Text, HTML: m.HTML}
	if d.Render != nil {
		raw, err := d.Render(m)
		if err != nil {
			// A message that cannot be rendered never will be.
			return &otpd.PermanentError{Err: fmt.Errorf("mail: dev mailbox: render %s: %w", m.MessageID, err)}
		}
		l.Raw = raw
	}
	b, err := json.Marshal(l)
	if err == nil {
		b, err = d.seal(b)
	}
	if err == nil {
		err = d.shelf().KeepDevMessage(ctx, otpd.DevMessage{MessageID: m.MessageID, To: m.To, At: m.Date, Sealed: b}, d.size())
	}
	if err != nil {
		return fmt.Errorf("mail: dev mailbox: keep %s: %w", m.MessageID, err)
	}
	return nil
}

// Messages returns the kept messages, newest first, at most limit of them
// (all kept when limit is 0 or less): each one returned is opened and
// decoded, so a reader that wants the newest asks for 1. When to is not
// empty, it returns only those sent to that address, compared as
// otpd.Address keys (so case does not matter); a to that is not an
// address matches nothing. A message sealed under another secret (the
// secret was replaced since) cannot be read, and is left out.
func (d *DevMailbox) Messages(ctx context.Context, to string, limit int) ([]otpd.Email, error) {
	var addr otpd.Address
	if to != "" {
		var err error
		if addr, err = otpd.ParseAddress(to); err != nil {
			return nil, nil
		}
	}
	if limit <= 0 || limit > d.size() {
		limit = d.size()
	}
	kept, err := d.shelf().DevMessages(ctx, addr, limit)
	if err != nil {
		return nil, fmt.Errorf("mail: dev mailbox: messages: %w", err)
	}
	out := make([]otpd.Email, 0, len(kept))
	for _, k := range kept {
		if l, err := d.letter(k); err == nil {
			out = append(out, l.email())
		}
	}
	return out, nil
}

// Raw returns the raw form of the newest kept message with the given
// Message-ID, or an error wrapping otpd.ErrNotFound when there is none,
// or Render made none.
func (d *DevMailbox) Raw(ctx context.Context, messageID string) ([]byte, error) {
	k, err := d.shelf().DevMessage(ctx, messageID)
	if err != nil {
		return nil, fmt.Errorf("mail: dev mailbox: raw %s: %w", messageID, err)
	}
	l, err := d.letter(k)
	if err != nil {
		return nil, fmt.Errorf("mail: dev mailbox: raw %s: %w", messageID, err)
	}
	if l.Raw == nil {
		return nil, fmt.Errorf("mail: dev mailbox: raw %s: %w", messageID, otpd.ErrNotFound)
	}
	return l.Raw, nil
}

func (d *DevMailbox) size() int {
	if d.Size <= 0 {
		return DefaultDevMailboxSize
	}
	return d.Size
}

func (d *DevMailbox) shelf() otpd.DevMailStore {
	if d.Store != nil {
		return d.Store
	}
	d.memOnce.Do(func() { d.mem = &memoryShelf{} })
	return d.mem
}

// errNoSeal refuses to keep a code in a Store in clear.
var errNoSeal = errors.New("a Store needs Seal and Open, so that no code rests in clear")

func (d *DevMailbox) seal(b []byte) ([]byte, error) {
	if d.Store == nil {
		return b, nil
	}
	if d.Seal == nil || d.Open == nil {
		return nil, errNoSeal
	}
	return d.Seal(b)
}

func (d *DevMailbox) letter(k otpd.DevMessage) (letter, error) {
	b := k.Sealed
	if d.Store != nil {
		if d.Open == nil {
			return letter{}, errNoSeal
		}
		var err error
		if b, err = d.Open(b); err != nil {
			return letter{}, err
		}
	}
	var l letter
	if err := json.Unmarshal(b, &l); err != nil {
		return letter{}, fmt.Errorf("decode kept message: %w", err)
	}
	return l, nil
}

func (l letter) email() otpd.Email {
	// The address was kept as an Address's String, so it parses; should
	// it not, the message still shows, addressed to nobody.
	to, _ := otpd.ParseAddress(l.To)
	return otpd.Email{MessageID: l.MessageID, Ref: l.Ref, From: l.From, To: to, Subject: l.Subject, Date: l.Date, Text: l.Text, HTML: l.HTML}
}
