package password

import (
	"runtime"
	"sync"
	"testing"

	"github.com/otpd/otpd"
)

// blockingHashing stands in for argon2: each call says it started, then
// waits until the test lets every call finish.
type blockingHashing struct{ started, finish chan struct{} }

func (b blockingHashing) run() {
	b.started <- struct{}{}
	<-b.finish
}

func (b blockingHashing) Hash(string) (string, error)               { b.run(); return "hash", nil }
func (b blockingHashing) Verify(string, string) (bool, bool, error) { b.run(); return true, false, nil }
func (b blockingHashing) Dummy(string)                              { b.run() }

// With every core busy and every waiting place taken, the next call of
// each kind is refused at once with EBusy and a time to wait, and the
// calls let in still finish; once they have, calls are let in again.
func TestCheckerRefusesPastItsQueue(t *testing.T) {
	const running, waiting = 2, 3
	h := blockingHashing{started: make(chan struct{}, running+waiting+1), finish: make(chan struct{})}
	c := NewChecker(h, DefaultPolicy, running, waiting)
	var wg sync.WaitGroup
	for range running + waiting {
		wg.Go(func() {
			if _, err := c.Hash("pw"); err != nil {
				t.Errorf("a call within the bounds: %v", err)
			}
		})
	}
	for range running {
		<-h.started
	}
	// The waiting calls have taken their places when admitted is full;
	// they cannot start, as every core is held.
	for len(c.admitted) < running+waiting {
		runtime.Gosched()
	}
	if n := len(h.started); n != 0 {
		t.Errorf("%d more calls started while every core was held", n)
	}
	_, herr := c.Hash("pw")
	_, _, verr := c.Verify("hash", "pw")
	derr := c.Dummy("pw")
	for what, err := range map[string]error{"Hash": herr, "Verify": verr, "Dummy": derr} {
		e, ok := err.(*otpd.Error)
		if !ok || e.Code != otpd.EBusy || e.RetryAfter != BusyWait {
			t.Errorf("%s past the queue: %v, want %s with RetryAfter %s", what, err, otpd.EBusy, BusyWait)
		}
	}
	close(h.finish)
	wg.Wait()
	if _, err := c.Hash("pw"); err != nil {
		t.Errorf("a call once the queue has drained: %v", err)
	}
}
