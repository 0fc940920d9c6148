package signin_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/admin"
	"github.com/otpd/otpd/signin"
)

// console is the command line's admin service over the rig's store.
func (r *rig) console(t *testing.T) (*admin.Service, admin.Operator) {
	t.Helper()
	svc := admin.New(admin.Options{Store: r.store, Clock: r.clock, Console: true})
	op, err := svc.Console()
	if err != nil {
		t.Fatal(err)
	}
	return svc, op
}

// A disabled account: its sessions are refused, a code request for it
// answers like any other while the mail tells the owner it is disabled
// instead of giving a code, its right password is answered exactly as a
// wrong one, and a reset is refused the same way. Enabling undoes it.
func TestDisabledAccount(t *testing.T) {
	r := newRig(t)
	device, in := r.owner(t)
	svc, op := r.console(t)
	if _, changed, err := svc.SetDisabled(ctx, op, "ada@example.com", true); err != nil || !changed {
		t.Fatalf("disable: %v, changed %t", err, changed)
	}
	if _, err := r.engine.Authenticate(ctx, in.Token); otpd.ErrorCode(err) != otpd.EUnauthorized {
		t.Errorf("a disabled account's session authenticates: %v", err)
	}

	f, err := r.engine.SignIn(ctx, "ada@example.com", device)
	if err != nil || f.ID == "" || f.ExpiresAt.IsZero() || f.ResendAfter.IsZero() {
		t.Fatalf("sign-in for a disabled account: %+v, %v", f, err)
	}
	m := r.deliver(t, "ada@example.com")
	if m.Subject != "Your account is disabled" || !strings.Contains(m.Text, "an administrator has disabled the account") ||
		!strings.Contains(m.Text, "https://otpd.test") || codePattern.MatchString(m.Text) {
		t.Errorf("the disabled account's mail:\n%s\n%s", m.Subject, m.Text)
	}
	for _, code := range []string{"000000000", "123456789"} {
		if _, err := r.engine.Verify(ctx, f.ID, code, device); otpd.ErrorCode(err) != otpd.EInvalidCode {
			t.Errorf("a code for a disabled account: %v, want invalid_code", err)
		}
	}

	_, right := r.engine.PasswordSignIn(ctx, "ada@example.com", goodPassword, device)
	_, wrong := r.engine.PasswordSignIn(ctx, "ada@example.com", goodPassword+"x", device)
	if otpd.ErrorCode(right) != otpd.EInvalidCredentials || right.Error() != wrong.Error() {
		t.Errorf("the right password of a disabled account: %v; a wrong one: %v", right, wrong)
	}

	if _, err := r.engine.ForgotPassword(ctx, "ada@example.com", who); err != nil {
		t.Fatalf("ForgotPassword: %v", err)
	}
	if m := r.deliver(t, "ada@example.com"); !strings.Contains(m.Text, "reset the password") || codePattern.MatchString(m.Text) {
		t.Errorf("the reset mail of a disabled account:\n%s", m.Text)
	}

	if _, changed, err := svc.SetDisabled(ctx, op, "ada@example.com", false); err != nil || !changed {
		t.Fatalf("enable: %v, changed %t", err, changed)
	}
	again := r.signedIn(t, "ada@example.com")
	if _, err := r.engine.Authenticate(ctx, again.Token); err != nil {
		t.Errorf("the enabled account's new session: %v", err)
	}
	if res, err := r.engine.PasswordSignIn(ctx, "ada@example.com", goodPassword, device); err != nil || res.SignedIn == nil {
		t.Errorf("the enabled account's password: %+v, %v", res, err)
	}
	evs, err := r.store.Events(ctx, in.Account.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	var types []otpd.EventType
	for _, e := range evs {
		types = append(types, e.Type)
	}
	for _, want := range []otpd.EventType{otpd.EventAccountDisabled, otpd.EventAccountEnabled} {
		if !slices.Contains(types, want) {
			t.Errorf("the owner's activity lacks %s: %v", want, types)
		}
	}
}

// A stranger who asked for codes for an account's address and for one
// without an account, before an administrator disabled the account, sees
// the two flows alike afterwards: both still pending, and a wrong code
// wrong in both. Closing the first would tell them the address has an
// account.
func TestDisablingClosesNoStrangersFlow(t *testing.T) {
	r := newRig(t)
	r.owner(t)
	stranger := signin.Requester{IP: "198.51.100.7", UserAgent: "curl/8"}
	ada, err := r.engine.SignIn(ctx, "ada@example.com", stranger)
	if err != nil {
		t.Fatal(err)
	}
	nobody, err := r.engine.SignIn(ctx, "nobody@example.com", stranger)
	if err != nil {
		t.Fatal(err)
	}
	svc, op := r.console(t)
	if _, _, err := svc.SetDisabled(ctx, op, "ada@example.com", true); err != nil {
		t.Fatal(err)
	}
	for _, f := range []signin.Flow{ada, nobody} {
		st, err := r.engine.Lookup(ctx, f.ID)
		if err != nil || st.Status != otpd.StatusPending {
			t.Errorf("flow of %s: %v, %s; want pending", st.Email, err, st.Status)
		}
	}
	_, a := r.engine.Verify(ctx, ada.ID, "000000000", stranger)
	_, b := r.engine.Verify(ctx, nobody.ID, "000000000", stranger)
	if otpd.ErrorCode(a) != otpd.EInvalidCode || a.Error() != b.Error() {
		t.Errorf("a wrong code: %v for the disabled account, %v for no account", a, b)
	}
}

// A password sign-in that needed a code, begun before the account was
// disabled, resends the disabled notice, never a code.
func TestResendAfterDisablingSendsNoCode(t *testing.T) {
	r := newRig(t)
	device, _ := r.owner(t)
	lagos := device
	lagos.IP = "198.51.100.9"
	res, err := r.engine.PasswordSignIn(ctx, "ada@example.com", goodPassword, lagos)
	if err != nil || res.SignedIn != nil || res.Flow.ID == "" {
		t.Fatalf("a password from a new country: %+v, %v; want a flow for a code", res, err)
	}
	r.deliver(t, "ada@example.com")
	svc, op := r.console(t)
	if _, _, err := svc.SetDisabled(ctx, op, "ada@example.com", true); err != nil {
		t.Fatal(err)
	}
	r.clock.Advance(time.Minute)
	if _, err := r.engine.Resend(ctx, res.Flow.ID, lagos); err != nil {
		t.Fatalf("resend: %v", err)
	}
	if m := r.deliver(t, "ada@example.com"); m.Subject != "Your account is disabled" || codePattern.MatchString(m.Text) {
		t.Errorf("the resent message:\n%s\n%s", m.Subject, m.Text)
	}
}
