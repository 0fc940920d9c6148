package signin_test

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/signin"
)

// busyPasswords refuses every hash, as a full queue does, while busy.
type busyPasswords struct {
	signin.Passwords
	busy atomic.Bool
}

func (b *busyPasswords) refusal() error {
	return &otpd.Error{Code: otpd.EBusy, RetryAfter: time.Second, Message: "busy"}
}

func (b *busyPasswords) Hash(pw string) (string, error) {
	if b.busy.Load() {
		return "", b.refusal()
	}
	return b.Passwords.Hash(pw)
}

func (b *busyPasswords) Verify(encoded, pw string) (bool, bool, error) {
	if b.busy.Load() {
		return false, false, b.refusal()
	}
	return b.Passwords.Verify(encoded, pw)
}

func (b *busyPasswords) Dummy(pw string) error {
	if b.busy.Load() {
		return b.refusal()
	}
	return b.Passwords.Dummy(pw)
}

// When the hashing is busy, a password sign-in, a reset and a new
// password are refused with EBusy and a time to wait, and nothing that
// was not checked counts: not the password attempts (no lockout follows),
// not the reset code (it still works).
func TestBusyHashingRefusesWithoutCounting(t *testing.T) {
	var pw *busyPasswords
	r := newRigWith(t, func(p signin.Passwords) signin.Passwords {
		pw = &busyPasswords{Passwords: p}
		return pw
	}, withLockout)
	device, in := r.owner(t)
	f, err := r.engine.ForgotPassword(ctx, "ada@example.com", device)
	if err != nil {
		t.Fatal(err)
	}
	code := r.code(t, "ada@example.com")
	r.stepUp(t, in.Token, device)
	pw.busy.Store(true)
	attacker := signin.Requester{IP: "198.51.100.66", UserAgent: "curl/8"}
	for i := range 5 {
		for _, email := range []string{"ada@example.com", "nobody@example.com"} {
			_, err := r.engine.PasswordSignIn(ctx, email, fmt.Sprintf("guess %d xxxxxxxxxxxx", i), attacker)
			if e := wantCode(t, err, otpd.EBusy); e.RetryAfter <= 0 {
				t.Errorf("busy without a time to wait: %v", e)
			}
		}
	}
	_, err = r.engine.ResetPassword(ctx, f.ID, code, goodPassword+" anew", device)
	wantCode(t, err, otpd.EBusy)
	wantCode(t, r.engine.SetPassword(ctx, in.Token, goodPassword+" again", device), otpd.EBusy)
	pw.busy.Store(false)
	_, err = r.engine.PasswordSignIn(ctx, "ada@example.com", "a wrong guess xxxxxxxxx", attacker)
	if e := wantCode(t, err, otpd.EInvalidCredentials); e.RetryAfter != 0 {
		t.Errorf("busy refusals counted towards a lockout: the first checked guess locks out for %s", e.RetryAfter)
	}
	if _, err := r.engine.ResetPassword(ctx, f.ID, code, goodPassword+" anew", device); err != nil {
		t.Errorf("the reset code after a busy refusal: %v", err)
	}
}
