package signin_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/signin"
)

const goodPassword = "a long passphrase nobody guesses"

// owner signs ada up from who's browser, remembering it, and sets a
// password after a step-up. It returns who with the device cookie.
func (r *rig) owner(t *testing.T) (signin.Requester, signin.SignedIn) {
	t.Helper()
	f := r.signIn(t, "ada@example.com")
	remembered := who
	remembered.Remember = true
	in, err := r.engine.Verify(ctx, f.ID, r.code(t, "ada@example.com"), remembered)
	if err != nil {
		t.Fatal(err)
	}
	if in.DeviceToken == "" {
		t.Fatal("asked to remember the device, got no device cookie")
	}
	device := who
	device.Device = in.DeviceToken
	r.stepUp(t, in.Token, device)
	if err := r.engine.SetPassword(ctx, r.as(in.Token), goodPassword, device); err != nil {
		t.Fatalf("SetPassword after a step-up: %v", err)
	}
	if m := r.deliver(t, "ada@example.com"); !strings.Contains(m.Text, "A password was set") {
		t.Errorf("the address was not told of the new password: %q", m.Subject)
	}
	return device, in
}

func (r *rig) stepUp(t *testing.T, token string, from signin.Requester) {
	t.Helper()
	r.stepUpOf(t, "ada@example.com", token, from)
}

// stepUpOf confirms a session of the account at email.
func (r *rig) stepUpOf(t *testing.T, email, token string, from signin.Requester) {
	t.Helper()
	f, err := r.engine.StepUp(ctx, r.as(token), from)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.engine.VerifyStepUp(ctx, r.as(token), f.ID, r.code(t, email), from); err != nil {
		t.Fatalf("VerifyStepUp: %v", err)
	}
}

func TestPasswordFromRememberedDeviceNeedsNoCode(t *testing.T) {
	r := newRig(t)
	device, _ := r.owner(t)
	r.clock.Advance(time.Hour)
	res, err := r.engine.PasswordSignIn(ctx, "ada@example.com", goodPassword, device)
	if err != nil {
		t.Fatal(err)
	}
	if res.SignedIn == nil {
		t.Fatalf("a right password from the remembered device asked for a code: %v", res.Reasons)
	}
	if _, err := r.engine.Authenticate(ctx, res.SignedIn.Token); err != nil {
		t.Errorf("the password's session does not work: %v", err)
	}
}

func TestPasswordFromNewDeviceSendsCode(t *testing.T) {
	r := newRig(t)
	r.owner(t)
	r.clock.Advance(time.Hour)
	res, err := r.engine.PasswordSignIn(ctx, "ada@example.com", goodPassword, who)
	if err != nil {
		t.Fatal(err)
	}
	if res.SignedIn != nil || res.Flow == nil {
		t.Fatal("a right password from an unknown browser signed in without a code")
	}
	if said(res.Reasons, ", ") != "new device" {
		t.Errorf("reasons %q, want new device", res.Reasons)
	}
	if _, err := r.engine.Verify(ctx, res.Flow.ID, r.code(t, "ada@example.com"), who); err != nil {
		t.Errorf("the code sent after the password does not sign in: %v", err)
	}
	wantEvent(t, r, otpd.Event{Type: otpd.EventPasswordVerified, Reason: otpd.ReasonCodeNeeded, Concerns: "new device"})
}

// A remembered device that turns up in Lagos 20 minutes after signing in
// from London is someone else's now.
func TestPasswordFromNewCountryAndImpossibleTravel(t *testing.T) {
	r := newRig(t)
	device, _ := r.owner(t)
	r.clock.Advance(20 * time.Minute)
	lagos := device
	lagos.IP = "198.51.100.9"
	res, err := r.engine.PasswordSignIn(ctx, "ada@example.com", goodPassword, lagos)
	if err != nil {
		t.Fatal(err)
	}
	got := said(res.Reasons, "; ")
	if res.SignedIn != nil || !strings.Contains(got, "new country: NG") || !strings.Contains(got, "impossible travel: ") {
		t.Errorf("reasons %q, want new country: NG and impossible travel", got)
	}
	if !strings.Contains(got, " km in 20 min") {
		t.Errorf("reasons %q do not say how far in how long", got)
	}
}

func TestWrongPasswordAndUnknownAddressAnswerAlike(t *testing.T) {
	r := newRig(t)
	r.owner(t)
	_, wrong := r.engine.PasswordSignIn(ctx, "ada@example.com", "not the password at all", who)
	_, unknown := r.engine.PasswordSignIn(ctx, "nobody@example.com", "not the password at all", who)
	a, b := wantCode(t, wrong, otpd.EInvalidCredentials), wantCode(t, unknown, otpd.EInvalidCredentials)
	if a.Message != b.Message || a.Field != b.Field {
		t.Errorf("wrong password %+v and unknown address %+v answer differently", a, b)
	}
}

// The smart lockout: an attacker's failures lock out unfamiliar devices
// with a growing pause, while the owner's remembered device keeps
// working, and the lockout ends by itself.
func TestAttackerCannotLockOwnerOut(t *testing.T) {
	r := newRig(t, withLockout)
	device, _ := r.owner(t)
	attacker := signin.Requester{IP: "198.51.100.66", UserAgent: "curl/8"}
	for i := range 3 {
		_, err := r.engine.PasswordSignIn(ctx, "ada@example.com", "guess number "+string(rune('a'+i))+" xxxxxxx", attacker)
		if e := wantCode(t, err, otpd.EInvalidCredentials); e.RetryAfter != 0 {
			t.Fatalf("failure %d locked out already (%s)", i+1, e.RetryAfter)
		}
	}
	_, err := r.engine.PasswordSignIn(ctx, "ada@example.com", "fourth guess xxxxxxxxxx", attacker)
	if e := wantCode(t, err, otpd.EInvalidCredentials); e.RetryAfter != time.Minute {
		t.Errorf("the fourth failure locks out for %s, want 1m", e.RetryAfter)
	}
	_, err = r.engine.PasswordSignIn(ctx, "ada@example.com", goodPassword, attacker)
	if e := wantCode(t, err, otpd.ETooManyAttempts); e.RetryAfter != time.Minute {
		t.Errorf("while locked out, even the right password waits %s, want 1m", e.RetryAfter)
	}
	if res, err := r.engine.PasswordSignIn(ctx, "ada@example.com", goodPassword, device); err != nil || res.SignedIn == nil {
		t.Fatalf("the owner on the remembered device is locked out too: %v", err)
	}
	wantEvent(t, r, otpd.Event{Type: otpd.EventLockedOut, Concerns: string(otpd.Unfamiliar)})
	r.clock.Advance(time.Minute)
	_, err = r.engine.PasswordSignIn(ctx, "ada@example.com", "fifth guess xxxxxxxxxxx", attacker)
	if e := wantCode(t, err, otpd.EInvalidCredentials); e.RetryAfter != 2*time.Minute {
		t.Errorf("after the lockout ended, the next failure locks for %s, want 2m (doubled)", e.RetryAfter)
	}
}

func withLockout(p *signin.Policy) { p.Guess.Free, p.Guess.Backoff = 3, time.Minute }

// Password attempts are counted before argon2 runs: a burst of
// simultaneous guesses checks no more passwords than the lockout allows.
func TestConcurrentPasswordGuessesAreCounted(t *testing.T) {
	r := newRig(t, withLockout)
	r.owner(t)
	attacker := signin.Requester{IP: "198.51.100.66", UserAgent: "curl/8"}
	var wg sync.WaitGroup
	for range 40 {
		wg.Go(func() { r.engine.PasswordSignIn(ctx, "ada@example.com", "a wrong guess xxxxxxxxx", attacker) })
	}
	wg.Wait()
	checked := 0
	for _, e := range activity(t, r) {
		if e.Type == otpd.EventPasswordWrong && e.Reason != otpd.ReasonNotChecked {
			checked++
		}
	}
	if checked != 4 {
		t.Errorf("%d of 40 simultaneous guesses were checked, want 4 (3 free, the 4th locks out)", checked)
	}
}

// activity is ada's, by the address she signed up with.
func activity(t *testing.T, r *rig) []otpd.Event {
	t.Helper()
	acct, err := r.store.AccountByEmail(ctx, otpd.MustParseAddress("ada@example.com"))
	if err != nil {
		t.Fatal(err)
	}
	return activityOf(t, r, acct.ID)
}

// activityOf reads an account's record from the store: the tests read it
// whether or not a session of the account still works.
func activityOf(t *testing.T, r *rig, accountID string) []otpd.Event {
	t.Helper()
	evs, err := r.store.Events(ctx, accountID, 0)
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

// wantEvent wants an event in ada's activity of want's type, with want's
// Reason and Concerns where want sets them.
func wantEvent(t *testing.T, r *rig, want otpd.Event) {
	t.Helper()
	wantEventIn(t, activity(t, r), want)
}

func wantEventIn(t *testing.T, evs []otpd.Event, want otpd.Event) {
	t.Helper()
	for _, e := range evs {
		if e.Type == want.Type && (want.Reason == "" || e.Reason == want.Reason) &&
			(want.Concerns == "" || e.Concerns == want.Concerns) {
			return
		}
	}
	t.Errorf("no %s event with reason %q about %q", want.Type, want.Reason, want.Concerns)
}

// said joins reasons in their short words.
func said(rs []otpd.CodeReason, sep string) string {
	words := make([]string, len(rs))
	for i, r := range rs {
		words[i] = r.String()
	}
	return strings.Join(words, sep)
}
