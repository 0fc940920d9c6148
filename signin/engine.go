// Package signin is the engine: it decides what a code request, a resend, a
// submitted code, a password or a session token means, over the domain
// interfaces. It holds no state of its own; the Store does, atomically.
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
	Digits       int
	CodeLifetime time.Duration
	MaxAttempts  int
	Send         otpd.SendLimits
	// Guess bounds failures from unfamiliar contexts, and GuessFamiliar
	// those from the owner's remembered devices: counted apart, so that
	// an attacker elsewhere cannot lock the owner out.
	Guess           otpd.GuessLimits
	GuessFamiliar   otpd.GuessLimits
	SessionIdle     time.Duration
	SessionAbsolute time.Duration
	// StepUpFor is how long a step-up code lets a session make sensitive
	// changes.
	StepUpFor time.Duration
	// MaxTravelKMH is the fastest believable travel between two sign-ins;
	// faster needs a code.
	MaxTravelKMH float64
	// GuardFor is how long a "this wasn't me" report raises the account's
	// guard: every password sign-in needs a code meanwhile.
	GuardFor time.Duration
	// SignUp open lets an unknown address create its account with a code.
	SignUp bool
	// Clients limits code requests per source; it needs a Limiter.
	Clients ClientLimits
	// FailedGuesses is the service-wide budget of failed guesses from
	// unfamiliar contexts, and BreakerPause how long sign-in from them
	// pauses when it is spent (see breaker). It needs a Limiter; a zero
	// Rate turns it off.
	FailedGuesses otpd.Rate
	BreakerPause  time.Duration
	// Flood recognises a flood of code requests against one account.
	Flood FloodPolicy
	// MessageIDDomain is the right-hand side of Message-IDs: the host of
	// the public URL.
	MessageIDDomain string
	// Issuer names this service in an authenticator app: the host of the
	// public URL.
	Issuer string
	// Languages are the tags an account may choose for its pages and
	// emails: the message catalogue's.
	Languages []string
}

// Passwords hashes and checks passwords (package password implements it).
// Hash, Verify and Dummy are the expensive part of the engine: each may
// refuse at once with an *otpd.Error of code EBusy when too many wait to
// run, and the engine calls them only after the limits and checks that
// cost little.
type Passwords interface {
	Hash(pw string) (string, error)
	// Verify reports whether pw matches encoded, and whether encoded
	// should be re-hashed with the current parameters.
	Verify(encoded, pw string) (ok, rehash bool, err error)
	// Dummy does the work of a Verify that fails, so that an address
	// without a password takes as long as one with.
	Dummy(pw string) error
	// Check refuses a password a person should not use, with an
	// *otpd.Error naming the field "password". context holds words the
	// password must not be, such as the address's local part.
	Check(pw string, context ...string) error
}

// Deps are the engine's collaborators. Store, Codes and Clock are
// required; a nil Limiter enforces no client limits, a nil Locator knows
// no places, nil Passwords turns password sign-in off, and a nil Queued
// wakes nobody.
type Deps struct {
	Store     otpd.Store
	Codes     otpd.Codes
	Clock     otpd.Clock
	Limiter   otpd.Limiter
	Locator   otpd.Locator
	Passwords Passwords
	Log       *slog.Logger
	// Queued is called after a message has been committed to the
	// outbox, to wake the delivery worker.
	Queued func()
	// Apps are the OpenID Connect apps of the configuration file; the
	// Store keeps the others.
	Apps []otpd.App
	// Observer hears the engine's decisions, for metrics; nil hears
	// none.
	Observer Observer
	// Secrets seals the methods' secrets at rest and the enrolment of an
	// authenticator app in between its two steps; nil turns the
	// authenticator app off.
	Secrets otpd.Sealer
}

// Engine runs the sign-in flows. It is safe for concurrent use.
type Engine struct {
	store     otpd.Store
	codes     otpd.Codes
	clock     otpd.Clock
	limiter   otpd.Limiter
	locator   otpd.Locator
	passwords Passwords
	policy    Policy
	log       *slog.Logger
	queued    func()
	breaker   *breaker
	apps      []otpd.App
	observer  Observer
	secrets   otpd.Sealer
}

// New returns an Engine enforcing policy.
func New(d Deps, policy Policy) *Engine {
	e := &Engine{store: d.Store, codes: d.Codes, clock: d.Clock, limiter: d.Limiter, locator: d.Locator,
		passwords: d.Passwords, policy: policy, log: d.Log, queued: d.Queued, breaker: &breaker{}, apps: d.Apps, secrets: d.Secrets}
	if e.queued == nil {
		e.queued = func() {}
	}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	e.observer = d.Observer
	if e.observer == nil {
		e.observer = nopObserver{}
	}
	return e
}

// Policy returns the policy the engine enforces.
func (e *Engine) Policy() Policy { return e.policy }

// Requester is where a request came from, as recorded in events.
type Requester struct {
	IP        string
	UserAgent string
	// Device is the value of the browser's device cookie, if it has one.
	Device string
	// Remember, with a verified code, makes the browser one of the
	// account's remembered devices.
	Remember bool
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
