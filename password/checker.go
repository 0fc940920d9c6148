package password

import (
	"time"

	"github.com/otpd/otpd"
)

// Hashing is the argon2 work a Checker bounds: a Hasher, or a stand-in
// in tests.
type Hashing interface {
	Hash(pw string) (string, error)
	Verify(encoded, pw string) (ok, rehash bool, err error)
	Dummy(pw string)
}

// Checker is a Hasher and a Policy together, as the sign-in engine uses
// them, with two bounds on hashing. At most concurrent hashes run at
// once: each holds Params.Memory while it runs, so a burst must queue for
// cores rather than take memory without limit. At most waiting more
// queue for a core: past that a call is refused at once, so that a crowd
// of password requests, an attacker's or not, costs the rest a short
// refusal rather than a wait that grows with the crowd.
type Checker struct {
	Policy
	hashing Hashing
	// admitted holds a token for every call running or waiting, running
	// one for every call running.
	admitted chan struct{}
	running  chan struct{}
}

// NewChecker returns a Checker that runs at most concurrent hashes at
// once (at least one) and lets at most waiting more wait for them.
func NewChecker(h Hashing, p Policy, concurrent, waiting int) *Checker {
	concurrent = max(1, concurrent)
	return &Checker{Policy: p, hashing: h,
		admitted: make(chan struct{}, concurrent+max(0, waiting)), running: make(chan struct{}, concurrent)}
}

// BusyWait is how long a refused caller is asked to wait: at the
// default costs a core hashes about 30 passwords a second, so a full
// queue has drained by then.
const BusyWait = time.Second

// Hash hashes pw once a core is free, or returns an otpd.EBusy error.
func (c *Checker) Hash(pw string) (string, error) {
	release, err := c.take()
	if err != nil {
		return "", err
	}
	defer release()
	return c.hashing.Hash(pw)
}

// Verify checks pw once a core is free, or returns an otpd.EBusy error.
func (c *Checker) Verify(encoded, pw string) (ok, rehash bool, err error) {
	release, err := c.take()
	if err != nil {
		return false, false, err
	}
	defer release()
	return c.hashing.Verify(encoded, pw)
}

// Dummy does a Verify's work once a core is free, so it waits and is
// refused as a real one would be.
func (c *Checker) Dummy(pw string) error {
	release, err := c.take()
	if err != nil {
		return err
	}
	defer release()
	c.hashing.Dummy(pw)
	return nil
}

func (c *Checker) take() (release func(), err error) {
	select {
	case c.admitted <- struct{}{}:
	default:
		return nil, &otpd.Error{Code: otpd.EBusy, RetryAfter: BusyWait,
			Message: "too many passwords are being checked right now; try again in a moment"}
	}
	c.running <- struct{}{}
	return func() { <-c.running; <-c.admitted }, nil
}
