package smtp

import (
	"context"
	"errors"
	"fmt"
	netmail "net/mail"
	"net/textproto"
	"sync"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/mail"
)

var errClosed = errors.New("the mailer is closed")

// Mailer is an otpd.Mailer that sends through one SMTP relay.
//
// It keeps connections open between messages, since a TLS handshake and
// AUTH cost more round trips than the message itself: up to MaxConns at
// once, so that the outbox worker's parallel sends are not queued behind
// one another, each closed after IdleTimeout unused. A kept connection is
// checked with NOOP before reuse and replaced, without the caller seeing
// it, when the relay has dropped it.
//
// A Mailer is safe for concurrent use. Close it when done.
type Mailer struct {
	s settings
	// slots holds one token per connection in use, bounding them (and so
	// all connections: a new one is dialed only when none is idle).
	slots chan struct{}

	mu     sync.Mutex
	idle   []*conn     // least recently used first
	reaper *time.Timer // closes stale idle connections; nil when none wait
	closed bool
}

// New checks c and returns a Mailer for it. It does not connect: a relay
// that is down at start-up delays mail, not the server.
func New(c Config) (*Mailer, error) {
	s, err := c.settings()
	if err != nil {
		return nil, err
	}
	return &Mailer{s: s, slots: make(chan struct{}, s.maxConns)}, nil
}

// Host is the relay's host:port, for logs; it never holds the password.
func (m *Mailer) Host() string { return m.s.Addr() }

// Send renders e, signs it when Config.Sign is set, and delivers it to
// e.To with the address of e.From as envelope sender.
//
// The error wraps *otpd.PermanentError when retrying cannot help: the
// message cannot be rendered or signed, or the relay answered 5xx (the
// relay's text is kept, for the record). A 4xx answer, a timeout or a
// network failure returns a plain error, so the message is retried.
func (m *Mailer) Send(ctx context.Context, e otpd.Email) error {
	from, raw, err := m.prepare(e)
	if err != nil {
		return &otpd.PermanentError{Err: fmt.Errorf("smtp: send %s: %w", e.MessageID, err)}
	}
	if err := m.deliver(ctx, from, e.To.String(), raw); err != nil {
		err = fmt.Errorf("smtp: send %s via %s: %w", e.MessageID, m.s.Addr(), err)
		var reply *textproto.Error
		if errors.As(err, &reply) && reply.Code >= 500 {
			return &otpd.PermanentError{Err: err}
		}
		return err
	}
	return nil
}

// prepare returns the envelope sender and the signed message.
func (m *Mailer) prepare(e otpd.Email) (from string, raw []byte, err error) {
	raw, err = mail.Render(e)
	if err != nil {
		return "", nil, err
	}
	addr, err := netmail.ParseAddress(e.From)
	if err != nil {
		return "", nil, fmt.Errorf("envelope sender from %q: %w", e.From, err)
	}
	if m.s.sign != nil {
		if raw, err = m.s.sign(raw); err != nil {
			return "", nil, err
		}
	}
	return addr.Address, raw, nil
}

func (m *Mailer) deliver(ctx context.Context, from, to string, raw []byte) error {
	select {
	case m.slots <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("waiting for a connection: %w", context.Cause(ctx))
	}
	defer func() { <-m.slots }()
	c, err := m.get(ctx)
	if err != nil {
		return err
	}
	err = c.send(ctx, from, to, raw)
	// After a failure the connection's state is unknown (a half-sent
	// message, a transaction to reset): a new one is cheaper than doubt.
	m.put(c, err == nil)
	return err
}

// get returns a kept connection that still answers NOOP, or a new one.
// A kept connection that does not answer is closed and forgotten: the
// relay may have timed it out or restarted.
func (m *Mailer) get(ctx context.Context) (*conn, error) {
	for {
		m.mu.Lock()
		if m.closed {
			m.mu.Unlock()
			return nil, errClosed
		}
		n := len(m.idle)
		if n == 0 {
			m.mu.Unlock()
			return m.s.dial(ctx)
		}
		c := m.idle[n-1]
		m.idle = m.idle[:n-1]
		m.mu.Unlock()
		if err := c.probe(ctx); err == nil {
			return c, nil
		}
		c.close()
		if err := ctx.Err(); err != nil {
			return nil, context.Cause(ctx)
		}
	}
}

// put keeps c for the next message, or closes it.
func (m *Mailer) put(c *conn, healthy bool) {
	if !healthy {
		c.close()
		return
	}
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		_ = c.quit() // Close has returned; nobody is left to tell
		return
	}
	c.lastUsed = time.Now()
	m.idle = append(m.idle, c)
	if m.reaper == nil {
		m.reaper = time.AfterFunc(m.s.idleTimeout, m.reap)
	}
	m.mu.Unlock()
}

// reap closes connections idle for IdleTimeout and schedules itself for
// the next one to go stale.
func (m *Mailer) reap() {
	now := time.Now()
	var stale []*conn
	m.mu.Lock()
	keep := m.idle[:0]
	for _, c := range m.idle {
		if now.Sub(c.lastUsed) >= m.s.idleTimeout {
			stale = append(stale, c)
		} else {
			keep = append(keep, c)
		}
	}
	m.idle = keep
	m.reaper = nil
	if len(keep) > 0 && !m.closed {
		// idle is in order of last use, so keep[0] goes stale first.
		m.reaper = time.AfterFunc(keep[0].lastUsed.Add(m.s.idleTimeout).Sub(now), m.reap)
	}
	m.mu.Unlock()
	for _, c := range stale {
		_ = c.quit() // an idle connection that will not close cleanly is gone anyway
	}
}

// Close says QUIT on the idle connections and makes later Sends fail;
// connections in use close when their Send ends. It reports the
// connections that did not close cleanly.
func (m *Mailer) Close() error {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil
	}
	m.closed = true
	idle := m.idle
	m.idle = nil
	if m.reaper != nil {
		m.reaper.Stop()
		m.reaper = nil
	}
	m.mu.Unlock()
	var errs []error
	for _, c := range idle {
		if err := c.quit(); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("smtp: close connections to %s: %w", m.s.Addr(), err)
	}
	return nil
}
