package signin_test

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/limit"
	"github.com/otpd/otpd/password"
	"github.com/otpd/otpd/signin"
)

// recorder is an Observer that keeps what it heard, in order.
type recorder struct {
	mu    sync.Mutex
	heard []string
}

func (r *recorder) add(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.heard = append(r.heard, s)
}

func (r *recorder) CodeRequested(o signin.CodeOutcome) { r.add("code " + string(o)) }
func (r *recorder) Refused(l signin.Limit)             { r.add("refused " + string(l)) }
func (r *recorder) Verified(o otpd.VerifyOutcome)      { r.add("verified " + string(o)) }
func (r *recorder) SignedIn(m signin.Method, o signin.SignInOutcome) {
	r.add("sign-in " + string(m) + " " + string(o))
}

func (r *recorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	h := r.heard
	r.heard = nil
	return h
}

// observed is the rig's engine again, with an Observer and policy edits.
func observed(t *testing.T, edit func(*signin.Policy)) (*rig, *recorder) {
	t.Helper()
	r := newRig(t)
	r.signedIn(t, "ada@example.com") // an account, with an open sign-up
	p := testPolicy()
	edit(&p)
	rec := &recorder{}
	r.engine = signin.New(signin.Deps{Store: r.store, Codes: r.book, Clock: r.clock, Limiter: limit.NewMemory(),
		Passwords: password.NewChecker(password.Hasher{Params: cheapHash}, password.DefaultPolicy, 4, 64),
		Observer:  rec}, p)
	return r, rec
}

// The Observer hears each decision once, in the engine's typed words: a
// code queued, each verify's outcome and the sign-in it ends, the limit
// that refused, and what a password sign-in came to.
func TestObserverHearsDecisions(t *testing.T) {
	r, rec := observed(t, func(p *signin.Policy) {
		p.SignUp = false
		p.Clients.PerIP = otpd.Rate{Count: 2, Per: time.Hour}
	})
	step := func(name string, want ...string) {
		t.Helper()
		if got := rec.take(); !slices.Equal(got, want) {
			t.Errorf("%s: heard %q, want %q", name, got, want)
		}
	}
	f := r.signIn(t, "ada@example.com")
	step("sign-in", "code queued")
	code := r.code(t, "ada@example.com")
	if _, err := r.engine.Verify(ctx, f.ID, wrongCode(code), who); err == nil {
		t.Fatal("a wrong code verified")
	}
	step("wrong code", "verified wrong", "sign-in code wrong")
	if _, err := r.engine.Verify(ctx, f.ID, "12", who); err == nil {
		t.Fatal("a malformed code verified")
	}
	step("malformed code", "sign-in code invalid")
	if _, err := r.engine.Resend(ctx, f.ID, who); err == nil {
		t.Fatal("a resend within the cooldown was let through")
	}
	step("resend too soon", "refused cooldown", "code refused")
	if _, err := r.engine.Verify(ctx, f.ID, code, who); err != nil {
		t.Fatal(err)
	}
	step("right code", "verified verified", "sign-in code ok")

	if _, err := r.engine.SignIn(ctx, "nobody@example.com", who); err == nil {
		t.Fatal("the third request from one IP was let through")
	}
	step("per-IP limit", "refused ip", "code refused")

	if _, err := r.engine.PasswordSignIn(ctx, "ada@example.com", "not the password", who); err == nil {
		t.Fatal("a wrong password signed in")
	}
	step("wrong password", "sign-in password wrong")
}

// An address without an account, with sign-up closed, is told apart in
// the metrics only: the requester's answer is the same.
func TestObserverTellsNoAccount(t *testing.T) {
	r, rec := observed(t, func(p *signin.Policy) { p.SignUp = false })
	r.signIn(t, "nobody@example.com")
	if got := rec.take(); !slices.Equal(got, []string{"code no_account"}) {
		t.Errorf("heard %q, want a request without an account", got)
	}
}
