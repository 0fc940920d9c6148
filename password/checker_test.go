package password_test

import (
	"sync"
	"testing"

	"github.com/otpd/otpd/password"
)

// Many goroutines through one slot all get their answers: the bound
// queues them, it does not drop or mix them up.
func TestCheckerQueuesHashes(t *testing.T) {
	c := password.NewChecker(cheap, password.DefaultPolicy, 1, 8)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			pw := "correct horse battery staple " + string(rune('a'+i))
			h, err := c.Hash(pw)
			if err != nil {
				t.Error(err)
				return
			}
			if ok, _, err := c.Verify(h, pw); !ok || err != nil {
				t.Errorf("Verify of its own hash: %v, %v", ok, err)
			}
			if ok, _, _ := c.Verify(h, pw+"!"); ok {
				t.Error("another password verified")
			}
		})
	}
	wg.Wait()
	if err := c.Check("password"); err == nil {
		t.Error("the Checker's policy let a common password through")
	}
}
