package signin_test

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/signin"
)

// countingPasswords counts the argon2 hashes the engine asks for.
type countingPasswords struct {
	signin.Passwords
	hashes atomic.Int64
}

func (c *countingPasswords) Hash(pw string) (string, error) {
	c.hashes.Add(1)
	return c.Passwords.Hash(pw)
}

func newCountingRig(t *testing.T, edit ...func(*signin.Policy)) (*rig, *countingPasswords) {
	t.Helper()
	var counter *countingPasswords
	r := newRigWith(t, func(p signin.Passwords) signin.Passwords {
		counter = &countingPasswords{Passwords: p}
		return counter
	}, edit...)
	return r, counter
}

// A reset hashes its new password only once its code is known right: 40
// simultaneous resets with a wrong code and a long password, replayed on
// one flow, have their codes counted and evaluated as the limits allow,
// and hash nothing; the right code then hashes once.
func TestResetHashesOnlyForARightCode(t *testing.T) {
	r, counter := newCountingRig(t, withLockout)
	device, _ := r.owner(t)
	f, err := r.engine.ForgotPassword(ctx, "ada@example.com", device)
	if err != nil {
		t.Fatal(err)
	}
	code := r.code(t, "ada@example.com")
	before := counter.hashes.Load()
	attacker := signin.Requester{IP: "198.51.100.66", UserAgent: "curl/8"}
	long := strings.Repeat("correct horse battery staple ", 8)
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Go(func() {
			_, err := r.engine.ResetPassword(ctx, f.ID, wrongCode(code), fmt.Sprintf("%s%d", long, i), attacker)
			if err == nil {
				t.Error("a wrong code reset the password")
			}
		})
	}
	wg.Wait()
	if n := counter.hashes.Load() - before; n != 0 {
		t.Errorf("40 resets with a wrong code hashed %d passwords, want 0", n)
	}
	wrong := 0
	for _, e := range activity(t, r) {
		if e.Type == otpd.EventCodeWrong {
			wrong++
		}
	}
	if wrong != 4 {
		t.Errorf("%d of 40 wrong codes were evaluated, want 4 (3 free, the 4th locks out)", wrong)
	}
	if _, err := r.engine.ResetPassword(ctx, f.ID, code, goodPassword+" anew", device); err != nil {
		t.Fatalf("the owner's reset with the right code, on her remembered device: %v", err)
	}
	if n := counter.hashes.Load() - before; n != 1 {
		t.Errorf("the right code hashed %d passwords, want 1", n)
	}
}

// Every way to a hash counts against the per-client password limit
// before anything is checked: a reset and a new password as well as a
// password sign-in.
func TestPasswordLimitCoversResetAndNewPasswords(t *testing.T) {
	r := newRig(t, func(p *signin.Policy) { p.Clients.PasswordsPerIP = otpd.Rate{Count: 3, Per: 3 * time.Minute} })
	device, in := r.owner(t)
	f, err := r.engine.ForgotPassword(ctx, "ada@example.com", device)
	if err != nil {
		t.Fatal(err)
	}
	code := r.code(t, "ada@example.com")
	// The owner's SetPassword in r.owner spent one; one more of each kind
	// spends the rest.
	if _, err := r.engine.PasswordSignIn(ctx, "ada@example.com", goodPassword, device); err != nil {
		t.Fatal(err)
	}
	_, err = r.engine.ResetPassword(ctx, f.ID, wrongCode(code), goodPassword+" anew", device)
	wantCode(t, err, otpd.EInvalidCode)
	_, err = r.engine.ResetPassword(ctx, f.ID, wrongCode(code), goodPassword+" anew", device)
	if e := wantCode(t, err, otpd.ERateLimited); e.RetryAfter <= 0 {
		t.Errorf("a reset past the limit says no time to wait: %v", e)
	}
	r.stepUp(t, in.Token, device)
	err = r.engine.SetPassword(ctx, r.as(in.Token), goodPassword+" again", device)
	wantCode(t, err, otpd.ERateLimited)
	// Refused before its code was looked at: the code still has its tries.
	r.clock.Advance(time.Minute)
	if _, err := r.engine.ResetPassword(ctx, f.ID, code, goodPassword+" anew", device); err != nil {
		t.Errorf("the right code once the limit allows one more: %v", err)
	}
}

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
	wantCode(t, r.engine.SetPassword(ctx, r.as(in.Token), goodPassword+" again", device), otpd.EBusy)
	pw.busy.Store(false)
	_, err = r.engine.PasswordSignIn(ctx, "ada@example.com", "a wrong guess xxxxxxxxx", attacker)
	if e := wantCode(t, err, otpd.EInvalidCredentials); e.RetryAfter != 0 {
		t.Errorf("busy refusals counted towards a lockout: the first checked guess locks out for %s", e.RetryAfter)
	}
	if _, err := r.engine.ResetPassword(ctx, f.ID, code, goodPassword+" anew", device); err != nil {
		t.Errorf("the reset code after a busy refusal: %v", err)
	}
}
