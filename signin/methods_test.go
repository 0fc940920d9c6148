package signin_test

import (
	"encoding/base32"
	"strings"
	"testing"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/signin"
	"github.com/pquerna/otp/totp"
)

// addAuthenticator adds an app to ada's account in the session token
// (stepped up already) and returns its secret.
func (r *rig) addAuthenticator(t *testing.T, token string, from signin.Requester) string {
	t.Helper()
	en, err := r.engine.StartTOTP(ctx, r.as(token))
	if err != nil {
		t.Fatalf("StartTOTP: %v", err)
	}
	if !strings.HasPrefix(en.URL, "otpauth://totp/") || !strings.Contains(en.URL, "secret="+en.Secret) {
		t.Errorf("enrolment URL %q does not carry the secret", en.URL)
	}
	if err := r.engine.ConfirmTOTP(ctx, r.as(token), en.Token, "000000", from); otpd.ErrorCode(err) != otpd.EInvalidCode {
		t.Errorf("a wrong first code: %v, want %s", err, otpd.EInvalidCode)
	}
	if err := r.engine.ConfirmTOTP(ctx, r.as(token), en.Token, r.totp(t, en.Secret), from); err != nil {
		t.Fatalf("ConfirmTOTP: %v", err)
	}
	r.wantMail(t, "ada@example.com", "An authenticator app was added to your account")
	return en.Secret
}

// wantMail delivers the outbox and checks that email got a message with
// subject; messages queued at the same instant come in no fixed order.
func (r *rig) wantMail(t *testing.T, email, subject string) {
	t.Helper()
	r.deliver(t, email)
	var got []string
	for _, m := range r.inbox(t, email) {
		if m.Subject == subject {
			return
		}
		got = append(got, m.Subject)
	}
	t.Errorf("no message %q to %s among %q", subject, email, got)
}

func (r *rig) totp(t *testing.T, secret string) string {
	t.Helper()
	code, err := totp.GenerateCode(secret, r.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// passwordFlow signs ada in with her password from a browser she has not
// remembered, which needs a second factor.
func (r *rig) passwordFlow(t *testing.T) signin.Flow {
	t.Helper()
	res, err := r.engine.PasswordSignIn(ctx, "ada@example.com", goodPassword, who)
	if err != nil {
		t.Fatal(err)
	}
	if res.Flow == nil {
		t.Fatal("a password from a new device signed in without a second factor")
	}
	return *res.Flow
}

func TestAuthenticatorAppIsASecondFactor(t *testing.T) {
	r := newRig(t)
	device, in := r.owner(t)
	secret := r.addAuthenticator(t, in.Token, device)
	r.clock.Advance(time.Hour)
	f := r.passwordFlow(t)
	code := r.totp(t, secret)
	got, err := r.engine.VerifyFactor(ctx, f.ID, signin.Factor{Kind: otpd.MethodTOTP, Code: code}, who)
	if err != nil {
		t.Fatalf("the app's code after the password: %v", err)
	}
	if _, err := r.engine.Authenticate(ctx, got.Token); err != nil {
		t.Errorf("the session does not work: %v", err)
	}
	wantEvent(t, r, otpd.Event{Type: otpd.EventSessionStarted, Reason: otpd.ReasonTOTP})
	// The same code, seen over a shoulder, is refused after the owner
	// used it, within its 30 seconds.
	r.clock.Advance(5 * time.Second)
	again := r.passwordFlow(t)
	_, err = r.engine.VerifyFactor(ctx, again.ID, signin.Factor{Kind: otpd.MethodTOTP, Code: code}, who)
	wantCode(t, err, otpd.EInvalidCode)
	r.clock.Advance(30 * time.Second)
	if _, err := r.engine.VerifyFactor(ctx, again.ID, signin.Factor{Kind: otpd.MethodTOTP, Code: r.totp(t, secret)}, who); err != nil {
		t.Errorf("the next step's code: %v", err)
	}
}

func TestAuthenticatorAppStepsUp(t *testing.T) {
	r := newRig(t)
	device, in := r.owner(t)
	secret := r.addAuthenticator(t, in.Token, device)
	r.clock.Advance(time.Hour)
	if r.engine.SteppedUp(r.as(in.Token)) {
		t.Fatal("still stepped up an hour later")
	}
	if _, err := r.engine.StepUpWith(ctx, r.as(in.Token), signin.Factor{Kind: otpd.MethodTOTP, Code: r.totp(t, secret)}, device); err != nil {
		t.Fatalf("StepUpWith: %v", err)
	}
	if !r.engine.SteppedUp(r.as(in.Token)) {
		t.Error("the app's code did not step the session up")
	}
	wantEvent(t, r, otpd.Event{Type: otpd.EventSteppedUp, Reason: otpd.ReasonTOTP})
	// No code allowed the change, so its notice has no link that would
	// name one.
	if err := r.engine.SetPassword(ctx, r.as(in.Token), goodPassword+" again", device); err != nil {
		t.Fatalf("SetPassword after a step-up by the app: %v", err)
	}
	if m := r.deliver(t, "ada@example.com"); !strings.Contains(m.Subject, "password was changed") || strings.Contains(m.Text, "/deny/") {
		t.Errorf("notice %q with a deny link:\n%s", m.Subject, m.Text)
	}
}

func TestRecoveryCodes(t *testing.T) {
	r := newRig(t)
	device, in := r.owner(t)
	codes, err := r.engine.NewRecoveryCodes(ctx, r.as(in.Token), device)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, c := range codes {
		if len(c) != 11 || c[5] != '-' || seen[c] {
			t.Errorf("recovery code %q: want ten symbols in two groups, each code once", c)
		}
		seen[c] = true
	}
	if len(codes) != signin.RecoveryCodeCount {
		t.Fatalf("%d codes, want %d", len(codes), signin.RecoveryCodeCount)
	}
	r.wantMail(t, "ada@example.com", "New recovery codes were made for your account")
	r.clock.Advance(time.Hour)
	f := r.passwordFlow(t)
	typed := strings.ToLower(strings.ReplaceAll(codes[3], "-", " "))
	if _, err := r.engine.VerifyFactor(ctx, f.ID, signin.Factor{Kind: otpd.MethodRecoveryCodes, Code: typed}, who); err != nil {
		t.Fatalf("a recovery code after the password: %v", err)
	}
	r.wantMail(t, "ada@example.com", "A recovery code was used to get into your account")
	again := r.passwordFlow(t)
	_, err = r.engine.VerifyFactor(ctx, again.ID, signin.Factor{Kind: otpd.MethodRecoveryCodes, Code: codes[3]}, who)
	wantCode(t, err, otpd.EInvalidCode)
	ms, err := r.engine.Methods(ctx, r.as(in.Token))
	if err != nil || len(ms) != 1 || ms[0].CodesLeft != 9 {
		t.Fatalf("methods %+v (%v), want recovery codes with 9 left", ms, err)
	}
	// A new set, after a step-up, kills the old one.
	r.clock.Advance(time.Minute)
	r.code(t, "ada@example.com") // the code the second password sent
	r.stepUp(t, in.Token, device)
	if _, err := r.engine.NewRecoveryCodes(ctx, r.as(in.Token), device); err != nil {
		t.Fatal(err)
	}
	_, err = r.engine.VerifyFactor(ctx, again.ID, signin.Factor{Kind: otpd.MethodRecoveryCodes, Code: codes[4]}, who)
	wantCode(t, err, otpd.EInvalidCode)
}

func TestAddingMethodsNeedsStepUp(t *testing.T) {
	r := newRig(t)
	_, in := r.owner(t)
	r.clock.Advance(time.Hour)
	_, err := r.engine.StartTOTP(ctx, r.as(in.Token))
	wantCode(t, err, otpd.EStepUpRequired)
	_, err = r.engine.NewRecoveryCodes(ctx, r.as(in.Token), who)
	wantCode(t, err, otpd.EStepUpRequired)
	wantCode(t, r.engine.RemoveMethod(ctx, r.as(in.Token), otpd.MethodTOTP, who), otpd.EStepUpRequired)
}

// An enrolment works only in the session that began it, and not after it
// expired: the token carries the secret, and must not add it elsewhere.
func TestEnrolmentStaysInItsSession(t *testing.T) {
	r := newRig(t)
	device, in := r.owner(t)
	en, err := r.engine.StartTOTP(ctx, r.as(in.Token))
	if err != nil {
		t.Fatal(err)
	}
	again, err := r.engine.Enrolment(r.as(in.Token), en.Token)
	if err != nil || again.Secret != en.Secret || again.URL != en.URL {
		t.Errorf("the enrolment read again: %+v (%v), want %+v", again, err, en)
	}
	other := r.signedIn(t, "ada@example.com")
	r.stepUp(t, other.Token, who)
	_, err = r.engine.Enrolment(r.as(other.Token), en.Token)
	wantCode(t, err, otpd.EInvalid)
	wantCode(t, r.engine.ConfirmTOTP(ctx, r.as(other.Token), en.Token, r.totp(t, en.Secret), who), otpd.EInvalid)
	wantCode(t, r.engine.ConfirmTOTP(ctx, r.as(in.Token), en.Token+"x", r.totp(t, en.Secret), device), otpd.EInvalid)
	r.clock.Advance(16 * time.Minute)
	r.stepUp(t, in.Token, device)
	wantCode(t, r.engine.ConfirmTOTP(ctx, r.as(in.Token), en.Token, r.totp(t, en.Secret), device), otpd.EInvalid)
}

// Wrong factors spend the budget the emailed codes spend: after them, the
// right emailed code is refused too.
func TestFactorGuessesShareTheCodeBudget(t *testing.T) {
	r := newRig(t)
	device, in := r.owner(t)
	r.addAuthenticator(t, in.Token, device)
	r.clock.Advance(time.Hour)
	for range 2 {
		f := r.passwordFlow(t)
		for range 5 {
			_, err := r.engine.VerifyFactor(ctx, f.ID, signin.Factor{Kind: otpd.MethodTOTP, Code: "123456"}, who)
			if c := otpd.ErrorCode(err); c != otpd.EInvalidCode && c != otpd.ETooManyAttempts {
				t.Fatalf("a wrong app code: %v", err)
			}
		}
		r.clock.Advance(time.Minute)
	}
	_, err := r.engine.PasswordSignIn(ctx, "ada@example.com", goodPassword, who)
	wantCode(t, err, otpd.ETooManyAttempts)
	f := r.signIn(t, "ada@example.com")
	_, err = r.engine.Verify(ctx, f.ID, r.code(t, "ada@example.com"), who)
	wantCode(t, err, otpd.ETooManyAttempts)
}

// A factor stands in only for the code after a password: a code-only
// flow, which anyone who knows the address can open, takes the email's.
func TestFactorNeedsThePasswordFirst(t *testing.T) {
	r := newRig(t)
	device, in := r.owner(t)
	codes, err := r.engine.NewRecoveryCodes(ctx, r.as(in.Token), device)
	if err != nil {
		t.Fatal(err)
	}
	f := r.signIn(t, "ada@example.com")
	_, err = r.engine.VerifyFactor(ctx, f.ID, signin.Factor{Kind: otpd.MethodRecoveryCodes, Code: codes[0]}, who)
	if e := wantCode(t, err, otpd.EInvalid); e.Field != "flow_id" {
		t.Errorf("refusal names %q, want flow_id", e.Field)
	}
	_, err = r.engine.VerifyFactor(ctx, f.ID, signin.Factor{Kind: "sms", Code: "1"}, who)
	wantCode(t, err, otpd.EInvalid)
}

// Invariant 1 for the methods: neither an authenticator's key nor a
// recovery code rests in clear text in the database files or the log.
func TestMethodSecretsAreNotStoredInClear(t *testing.T) {
	r := newRig(t)
	device, in := r.owner(t)
	secret := r.addAuthenticator(t, in.Token, device)
	codes, err := r.engine.NewRecoveryCodes(ctx, r.as(in.Token), device)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secret)
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range r.snapshot(t) {
		if strings.Contains(b, secret) || strings.Contains(b, string(raw)) {
			t.Errorf("%s holds the authenticator's key in clear", name)
		}
		for _, c := range codes {
			if strings.Contains(b, c) || strings.Contains(b, strings.ReplaceAll(c, "-", "")) {
				t.Errorf("%s holds recovery code %s in clear", name, c)
			}
		}
	}
	if strings.Contains(r.logs.String(), secret) || strings.Contains(r.logs.String(), codes[0]) {
		t.Error("the log holds a method's secret")
	}
}
