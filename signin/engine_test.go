package signin_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/signin"
)

func TestSignUpThenSignIn(t *testing.T) {
	r := newRig(t)
	first := r.signedIn(t, "Ada@Example.COM")
	if !first.AccountCreated || first.Account.Email.String() != "Ada@example.com" {
		t.Fatalf("first sign-in: created %v, email %q", first.AccountCreated, first.Account.Email)
	}
	if subj := r.inbox(t, "ada@example.com")[0].Subject; !strings.Contains(subj, "create") {
		t.Errorf("sign-up mail subject %q does not say it creates an account", subj)
	}

	r.clock.Advance(time.Minute)
	second := r.signedIn(t, "ada@example.com")
	if second.AccountCreated || second.Account.ID != first.Account.ID {
		t.Fatalf("second sign-in made another account: %+v vs %+v", second.Account, first.Account)
	}
	if subj := r.inbox(t, "ada@example.com")[0].Subject; subj != "Your sign-in code" {
		t.Errorf("sign-in mail subject %q", subj)
	}
	c, err := r.engine.Authenticate(ctx, second.Token)
	if err != nil || c.Account().ID != first.Account.ID {
		t.Fatalf("Authenticate: %v, %v", c.Account(), err)
	}
	if err := r.engine.SignOut(ctx, r.as(second.Token), who); err != nil {
		t.Fatal(err)
	}
	_, err = r.engine.Authenticate(ctx, second.Token)
	wantCode(t, err, otpd.EUnauthorized)
	if _, err := r.engine.Authenticate(ctx, first.Token); err != nil {
		t.Errorf("signing one session out ended another: %v", err)
	}
}

func TestWrongCodesCountDownThenKillTheCode(t *testing.T) {
	r := newRig(t)
	f := r.signIn(t, "ada@example.com")
	right := r.code(t, "ada@example.com")
	for left := 4; left >= 1; left-- {
		_, err := r.engine.Verify(ctx, f.ID, wrongCode(right), who)
		if e := wantCode(t, err, otpd.EInvalidCode); e.AttemptsLeft != left || e.Field != "code" {
			t.Fatalf("attempts left %d field %q, want %d", e.AttemptsLeft, e.Field, left)
		}
	}
	_, err := r.engine.Verify(ctx, f.ID, wrongCode(right), who)
	wantCode(t, err, otpd.ETooManyAttempts)
	_, err = r.engine.Verify(ctx, f.ID, right, who)
	wantCode(t, err, otpd.ETooManyAttempts)
}

func TestMalformedCodeIsRefusedWithoutCounting(t *testing.T) {
	r := newRig(t)
	f := r.signIn(t, "ada@example.com")
	right := r.code(t, "ada@example.com")
	for _, bad := range []string{"", "12345", "abcdefghi", "1234567890"} {
		_, err := r.engine.Verify(ctx, f.ID, bad, who)
		if e := wantCode(t, err, otpd.EInvalid); e.Field != "code" {
			t.Errorf("%q: field %q, want code", bad, e.Field)
		}
	}
	grouped := right[:3] + " " + right[3:6] + "-" + right[6:]
	if _, err := r.engine.Verify(ctx, f.ID, grouped, who); err != nil {
		t.Fatalf("the right code, grouped, after malformed tries: %v", err)
	}
}

// Invariant 7: expiry is decided by the injected clock.
func TestCodeExpires(t *testing.T) {
	r := newRig(t)
	f := r.signIn(t, "ada@example.com")
	right := r.code(t, "ada@example.com")
	r.clock.Advance(10 * time.Minute)
	_, err := r.engine.Verify(ctx, f.ID, right, who)
	wantCode(t, err, otpd.ECodeExpired)

	f = r.signIn(t, "ada@example.com")
	right = r.code(t, "ada@example.com")
	r.clock.Advance(10*time.Minute - time.Second)
	if _, err := r.engine.Verify(ctx, f.ID, right, who); err != nil {
		t.Fatalf("a code one second before expiry: %v", err)
	}
}

func TestExpiredMessageIsNotDelivered(t *testing.T) {
	r := newRig(t)
	r.signIn(t, "ada@example.com")
	r.clock.Advance(11 * time.Minute)
	if _, err := r.worker.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(r.inbox(t, "ada@example.com")); n != 0 {
		t.Errorf("%d messages delivered after their code expired", n)
	}
}

func TestResendAfterCooldownSupersedes(t *testing.T) {
	r := newRig(t)
	f := r.signIn(t, "ada@example.com")
	old := r.code(t, "ada@example.com")

	_, err := r.engine.Resend(ctx, f.ID, who)
	if e := wantCode(t, err, otpd.ERateLimited); e.RetryAfter != 30*time.Second {
		t.Errorf("RetryAfter %v, want 30s", e.RetryAfter)
	}
	r.clock.Advance(30 * time.Second)
	f2, err := r.engine.Resend(ctx, f.ID, who)
	if err != nil || f2.ID != f.ID {
		t.Fatalf("Resend: %+v, %v", f2, err)
	}
	fresh := r.code(t, "ada@example.com")
	if old != fresh {
		_, err = r.engine.Verify(ctx, f.ID, old, who)
		wantCode(t, err, otpd.EInvalidCode)
	}
	if _, err := r.engine.Verify(ctx, f.ID, fresh, who); err != nil {
		t.Fatalf("fresh code: %v", err)
	}
	_, err = r.engine.Resend(ctx, f.ID, who)
	wantCode(t, err, otpd.EInvalid)
}

func TestUnknownFlow(t *testing.T) {
	r := newRig(t)
	_, err := r.engine.Verify(ctx, "nosuchflow", "123456789", who)
	if e := wantCode(t, err, otpd.ENotFound); e.Field != "flow_id" {
		t.Errorf("field %q", e.Field)
	}
	_, err = r.engine.Resend(ctx, "nosuchflow", who)
	wantCode(t, err, otpd.ENotFound)
}

// A code works only for the flow that requested it.
func TestCodeWorksOnlyForItsFlow(t *testing.T) {
	r := newRig(t)
	a := r.signIn(t, "ada@example.com")
	codeA := r.code(t, "ada@example.com")
	b := r.signIn(t, "ada@example.com")
	codeB := r.code(t, "ada@example.com")
	if codeA == codeB {
		t.Skip("two random codes collided")
	}
	_, err := r.engine.Verify(ctx, b.ID, codeA, who)
	wantCode(t, err, otpd.EInvalidCode)
	if _, err := r.engine.Verify(ctx, a.ID, codeA, who); err != nil {
		t.Fatalf("flow A's own code: %v", err)
	}
}

// AuthQuake: new flows must not mean new guesses. Wrong codes are counted
// per address across all flows, and a fresh code does not reset the count.
func TestWrongCodesAreCountedPerAccountAcrossFlows(t *testing.T) {
	r := newRig(t, func(p *signin.Policy) { p.Send.PerHour, p.Send.PerDay = 100, 100 })
	wrong := 0
	for wrong < 10 {
		f := r.signIn(t, "ada@example.com")
		right := r.code(t, "ada@example.com")
		for i := 0; i < 3 && wrong < 10; i++ {
			r.engine.Verify(ctx, f.ID, wrongCode(right), who)
			wrong++
		}
	}
	f := r.signIn(t, "ada@example.com")
	right := r.code(t, "ada@example.com")
	_, err := r.engine.Verify(ctx, f.ID, right, who)
	if e := wantCode(t, err, otpd.ETooManyAttempts); e.RetryAfter <= 0 || e.RetryAfter > 12*time.Hour {
		t.Fatalf("locked RetryAfter %v", e.RetryAfter)
	}
	r.clock.Advance(12 * time.Hour)
	f = r.signIn(t, "ada@example.com")
	if _, err := r.engine.Verify(ctx, f.ID, r.code(t, "ada@example.com"), who); err != nil {
		t.Fatalf("after the window: %v", err)
	}
}

func TestCodesPerAddressAreCapped(t *testing.T) {
	r := newRig(t)
	for range 5 {
		r.signIn(t, "ada@example.com")
	}
	_, err := r.engine.SignIn(ctx, "ADA@example.com", who)
	if e := wantCode(t, err, otpd.ERateLimited); e.RetryAfter <= 0 || e.RetryAfter > time.Hour {
		t.Errorf("RetryAfter %v", e.RetryAfter)
	}
	r.signIn(t, "bob@example.com")
	r.clock.Advance(time.Hour)
	r.signIn(t, "ada@example.com")
}

func TestSignUpClosedSendsNoticeAndCreatesNothing(t *testing.T) {
	r := newRig(t, func(p *signin.Policy) { p.SignUp = false })
	f := r.signIn(t, "stranger@example.com")
	m := r.deliver(t, "stranger@example.com")
	if codePattern.MatchString(m.Text) {
		t.Fatalf("a notice carries a code: %q", m.Text)
	}
	for _, guess := range []string{"000000000", "123456789", "999999999"} {
		_, err := r.engine.Verify(ctx, f.ID, guess, who)
		if c := otpd.ErrorCode(err); c != otpd.EInvalidCode && c != otpd.ETooManyAttempts {
			t.Fatalf("guess %s: %v", guess, err)
		}
	}
	if _, err := r.store.AccountByEmail(ctx, otpd.MustParseAddress("stranger@example.com")); err == nil {
		t.Fatal("an account was created with sign-up closed")
	}
}

func TestSessionIdleAndAbsoluteExpiry(t *testing.T) {
	r := newRig(t)
	in := r.signedIn(t, "ada@example.com")
	r.clock.Advance(71 * time.Hour)
	if _, err := r.engine.Authenticate(ctx, in.Token); err != nil {
		t.Fatalf("active within the idle timeout: %v", err)
	}
	r.clock.Advance(72 * time.Hour)
	_, err := r.engine.Authenticate(ctx, in.Token)
	wantCode(t, err, otpd.EUnauthorized)

	in = r.signedIn(t, "ada@example.com")
	for range 10 { // 710 h: within the absolute 720 h
		r.clock.Advance(71 * time.Hour)
		if _, err := r.engine.Authenticate(ctx, in.Token); err != nil {
			t.Fatalf("kept alive: %v", err)
		}
	}
	r.clock.Advance(71 * time.Hour)
	_, err = r.engine.Authenticate(ctx, in.Token)
	wantCode(t, err, otpd.EUnauthorized)
}

func TestAuthenticateRefusesJunk(t *testing.T) {
	r := newRig(t)
	for _, tok := range []string{"", "x", strings.Repeat("a", 43), strings.Repeat("a", 5000)} {
		_, err := r.engine.Authenticate(ctx, tok)
		wantCode(t, err, otpd.EUnauthorized)
	}
}

// Invariant 1: the code is not kept in clear in the database files, while
// queued or after use, nor written to the log; only the message carries it.
func TestCodeNeverRestsInClear(t *testing.T) {
	r := newRig(t)
	f := r.signIn(t, "ada@example.com")
	queued := r.snapshot(t)
	code := r.code(t, "ada@example.com")
	r.engine.Verify(ctx, f.ID, wrongCode(code), who)
	if _, err := r.engine.Verify(ctx, f.ID, code, who); err != nil {
		t.Fatal(err)
	}
	// Messages show the code grouped; the dev mailbox keeps messages.
	grouped := code[:3] + " " + code[3:6] + " " + code[6:]
	for name, b := range queued {
		if strings.Contains(b, code) || strings.Contains(b, grouped) {
			t.Errorf("%s holds the queued code in clear", name)
		}
	}
	for name, b := range r.snapshot(t) {
		if strings.Contains(b, code) || strings.Contains(b, grouped) {
			t.Errorf("%s holds the used code in clear", name)
		}
	}
	if strings.Contains(r.logs.String(), code) {
		t.Error("the log holds the code")
	}
}

// snapshot reads every file of the database (main file, WAL, shared memory).
func (r *rig) snapshot(t *testing.T) map[string]string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(r.dir, "*"))
	if len(files) == 0 {
		t.Fatal("no database files")
	}
	out := map[string]string{}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(name)] = string(b)
	}
	return out
}

// Invariant 5: every code request is a security event, used or not, and
// so is every verify outcome.
func TestEveryRequestIsRecorded(t *testing.T) {
	r := newRig(t)
	in := r.signedIn(t, "ada@example.com")
	f := r.signIn(t, "ada@example.com") // never used
	r.engine.Verify(ctx, f.ID, "000000000", who)
	r.engine.Resend(ctx, f.ID, who) // refused: cooldown
	evs, err := r.engine.Activity(ctx, r.as(in.Token), 50)
	if err != nil {
		t.Fatal(err)
	}
	count := map[otpd.EventType]int{}
	for _, e := range evs {
		count[e.Type]++
		if e.IP != who.IP || e.UserAgent != who.UserAgent {
			t.Errorf("event %s lacks the requester: %+v", e.Type, e)
		}
	}
	want := map[otpd.EventType]int{
		otpd.EventCodeRequested: 2, otpd.EventCodeRefused: 1, otpd.EventCodeVerified: 1,
		otpd.EventAccountCreated: 1, otpd.EventSessionStarted: 1, otpd.EventCodeWrong: 1,
	}
	for typ, n := range want {
		if count[typ] != n {
			t.Errorf("%d %s events, want %d (all: %v)", count[typ], typ, n, count)
		}
	}
	for i := 1; i < len(evs); i++ {
		if evs[i].At.After(evs[i-1].At) {
			t.Fatal("activity is not newest first")
		}
	}
}
