package signin_test

import (
	"strings"
	"testing"
	"time"

	"github.com/otpd/otpd"
)

func TestSensitiveChangesNeedRecentStepUp(t *testing.T) {
	r := newRig(t)
	in := r.signedIn(t, "ada@example.com")
	err := r.engine.SetPassword(ctx, r.as(in.Token), goodPassword, who)
	wantCode(t, err, otpd.EStepUpRequired)

	r.stepUp(t, in.Token, who)
	if err := r.engine.SetPassword(ctx, r.as(in.Token), goodPassword, who); err != nil {
		t.Fatalf("after a step-up: %v", err)
	}
	r.clock.Advance(10 * time.Minute)
	wantCode(t, r.engine.RemovePassword(ctx, r.as(in.Token), who), otpd.EStepUpRequired)
}

// A step-up code proves the session that asked for it, not any session
// of the account.
func TestStepUpCodeWorksOnlyInItsSession(t *testing.T) {
	r := newRig(t)
	asker := r.signedIn(t, "ada@example.com")
	other := r.signedIn(t, "ada@example.com")
	f, err := r.engine.StepUp(ctx, r.as(asker.Token), who)
	if err != nil {
		t.Fatal(err)
	}
	code := r.code(t, "ada@example.com")
	_, err = r.engine.VerifyStepUp(ctx, r.as(other.Token), f.ID, code, who)
	wantCode(t, err, otpd.EInvalid)
	wantCode(t, r.engine.SetPassword(ctx, r.as(other.Token), goodPassword, who), otpd.EStepUpRequired)
	if _, err := r.engine.Verify(ctx, f.ID, code, who); otpd.ErrorCode(err) != otpd.EInvalid {
		t.Errorf("a step-up code used to sign in: %v", err)
	}
	if _, err := r.engine.VerifyStepUp(ctx, r.as(asker.Token), f.ID, code, who); err != nil {
		t.Errorf("in the session that asked: %v", err)
	}
}

func TestPasswordPolicyNamesTheField(t *testing.T) {
	r := newRig(t)
	in := r.signedIn(t, "ada@example.com")
	r.stepUp(t, in.Token, who)
	for _, pw := range []string{"short", "passwordpasswordpassword", "write to ada@example.com"} {
		e := wantCode(t, r.engine.SetPassword(ctx, r.as(in.Token), pw, who), otpd.EInvalid)
		if e.Field != "password" {
			t.Errorf("SetPassword(%q) refused without naming the field: %+v", pw, e)
		}
	}
}

func TestForgettingDeviceMakesItUnfamiliar(t *testing.T) {
	r := newRig(t)
	device, in := r.owner(t)
	ds, err := r.engine.Devices(ctx, r.as(in.Token))
	if err != nil || len(ds) != 1 || ds[0].Name != "Chrome on Windows" || ds[0].LastPlace.City != "London" {
		t.Fatalf("devices %+v, %v; want the one remembered, named and placed", ds, err)
	}
	if err := r.engine.ForgetDevice(ctx, r.as(in.Token), ds[0].ID, device); err != nil {
		t.Fatal(err)
	}
	res, err := r.engine.PasswordSignIn(ctx, "ada@example.com", goodPassword, device)
	if err != nil || res.SignedIn != nil {
		t.Errorf("a forgotten device still signs in with a password alone (%v)", err)
	}
	wantCode(t, r.engine.ForgetDevice(ctx, r.as(in.Token), ds[0].ID, device), otpd.ENotFound)
}

// "This wasn't me" raises the account's guard: for a while even the
// remembered device needs a code with its password.
func TestReportRaisesGuard(t *testing.T) {
	r := newRig(t)
	device, _ := r.owner(t)
	stranger := r.signIn(t, "ada@example.com")
	link := r.deliver(t, "ada@example.com")
	token := link.Text[strings.Index(link.Text, "/deny/")+len("/deny/"):]
	token = strings.Fields(token)[0]
	ch, err := r.engine.Deny(ctx, token, device)
	if err != nil || ch.FlowID != stranger.ID {
		t.Fatalf("Deny: %v (flow %s)", err, ch.FlowID)
	}
	res, err := r.engine.PasswordSignIn(ctx, "ada@example.com", goodPassword, device)
	if err != nil || res.SignedIn != nil || !strings.Contains(said(res.Reasons, ","), "guard raised") {
		t.Errorf("after a report, the password alone: %+v, %v", res.Reasons, err)
	}
	r.clock.Advance(24 * time.Hour)
	if res, err := r.engine.PasswordSignIn(ctx, "ada@example.com", goodPassword, device); err != nil || res.SignedIn == nil {
		t.Errorf("the guard did not come down by itself: %+v, %v", res.Reasons, err)
	}
}
