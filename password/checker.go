package password

// Checker is a Hasher and a Policy together, as the sign-in engine uses
// them, with a bound on how many hashes run at once: each holds
// Params.Memory while it runs, so a burst of sign-ins must queue for
// cores rather than take memory without limit.
type Checker struct {
	Hasher
	Policy
	slots chan struct{}
}

// NewChecker returns a Checker that runs at most concurrent hashes at
// once (at least one).
func NewChecker(h Hasher, p Policy, concurrent int) *Checker {
	return &Checker{Hasher: h, Policy: p, slots: make(chan struct{}, max(1, concurrent))}
}

// Hash hashes pw once a slot is free.
func (c *Checker) Hash(pw string) (string, error) {
	defer c.take()()
	return c.Hasher.Hash(pw)
}

// Verify checks pw once a slot is free.
func (c *Checker) Verify(encoded, pw string) (ok, rehash bool, err error) {
	defer c.take()()
	return c.Hasher.Verify(encoded, pw)
}

// Dummy does a Verify's work once a slot is free, so it waits as long as
// a real one would.
func (c *Checker) Dummy(pw string) {
	defer c.take()()
	c.Hasher.Dummy(pw)
}

func (c *Checker) take() (release func()) {
	c.slots <- struct{}{}
	return func() { <-c.slots }
}
