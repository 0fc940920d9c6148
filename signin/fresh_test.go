package signin_test

import (
	"testing"
	"time"

	"github.com/otpd/otpd/signin"
)

// A session is fresh for Policy.StepUpFor after the code it signed in
// with, and again after each step-up.
func TestFreshCode(t *testing.T) {
	r := newRig(t)
	in := r.signedIn(t, "ada@example.com")
	if !r.engine.FreshCode(r.as(in.Token)) {
		t.Error("a session just signed in with a code is not fresh")
	}
	r.clock.Advance(10 * time.Minute)
	if r.engine.FreshCode(r.as(in.Token)) {
		t.Error("a session signed in with a code 10 minutes ago is fresh")
	}
	r.stepUp(t, in.Token, who)
	if !r.engine.FreshCode(r.as(in.Token)) {
		t.Error("a session just stepped up is not fresh")
	}
	r.clock.Advance(10 * time.Minute)
	if r.engine.FreshCode(r.as(in.Token)) {
		t.Error("a session stepped up 10 minutes ago is fresh")
	}
	if r.engine.FreshCode(signin.Caller{}) {
		t.Error("the zero Caller is fresh")
	}
}
