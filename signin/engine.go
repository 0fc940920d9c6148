// Package signin is the engine: it decides what a code request, a resend, a
// submitted code or a session token means, over the domain interfaces. It
// holds no state of its own; the Store does, atomically.
package signin

import (
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"log/slog"
	"time"

	"github.com/otpd/otpd"
)

// Policy is what the engine enforces; cmd fills it from the configuration.
type Policy struct {
	Digits          int
	CodeLifetime    time.Duration
	MaxAttempts     int
	Send            otpd.SendLimits
	Guess           otpd.GuessLimits
	SessionIdle     time.Duration
	SessionAbsolute time.Duration
	// SignUp open lets an unknown address create its account with a code.
	SignUp bool
	// Clients limits code requests per source; it needs a Limiter.
	Clients ClientLimits
	// MessageIDDomain is the right-hand side of Message-IDs: the host of
	// the public URL.
	MessageIDDomain string
}

// Engine runs the sign-in flows. It is safe for concurrent use.
type Engine struct {
	store   otpd.Store
	codes   otpd.Codes
	clock   otpd.Clock
	limiter otpd.Limiter
	policy  Policy
	log     *slog.Logger
	// queued is called after a message has been committed to the outbox,
	// to wake the delivery worker.
	queued func()
}

// New returns an Engine. limiter (which enforces policy.Clients) and
// queued may be nil.
func New(store otpd.Store, codes otpd.Codes, clock otpd.Clock, limiter otpd.Limiter, policy Policy, log *slog.Logger, queued func()) *Engine {
	if queued == nil {
		queued = func() {}
	}
	return &Engine{store: store, codes: codes, clock: clock, limiter: limiter, policy: policy, log: log, queued: queued}
}

// Policy returns the policy the engine enforces.
func (e *Engine) Policy() Policy { return e.policy }

// Requester is where a request came from, as recorded in events.
type Requester struct {
	IP        string
	UserAgent string
	// Lang is the requester's Accept-Language; the code email is written
	// in the best match for it.
	Lang string
}

// idEncoding gives IDs that are safe in URLs and easy to read aloud.
var idEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// newID returns 128 random bits. Flow IDs are capabilities in URLs, so they
// must not be guessable.
func newID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("signin: crypto/rand failed: %v", err))
	}
	return idEncoding.EncodeToString(b[:])
}

// internal wraps an unexpected failure: its detail is logged by the caller
// that turns errors into answers, never shown.
func internal(op string, err error) error {
	return fmt.Errorf("signin: %s: %w", op, err)
}

func (e *Engine) now() time.Time { return e.clock.Now().UTC() }
