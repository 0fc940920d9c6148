package signin_test

import (
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/signin"
)

// TestCodeGoesToTheAccountsAddress: a request that names an account by
// another spelling of its address (case, a decomposed accent) gets the
// code at the address the account keeps, never at the string typed; and
// a look-alike (mİke@, with the Turkish dotted capital I) is an address
// of its own whose code cannot sign in to mike's account.
func TestCodeGoesToTheAccountsAddress(t *testing.T) {
	r := newRig(t)
	mike := r.signedIn(t, "mike@example.com").Account
	jose := r.signedIn(t, "josé@example.com").Account

	for _, typed := range []string{"MIKE@EXAMPLE.COM", "Mike@example.com", norm.NFD.String("JOSÉ@example.com")} {
		stored := mike.Email
		if typed[0] == 'J' {
			stored = jose.Email
		}
		for _, ask := range []func() (signin.Flow, error){
			func() (signin.Flow, error) { return r.engine.SignIn(ctx, typed, who) },
			func() (signin.Flow, error) { return r.engine.ForgotPassword(ctx, typed, who) },
		} {
			r.clock.Advance(31e9)
			f, err := ask()
			if err != nil {
				t.Fatal(err)
			}
			if m := r.deliver(t, stored.String()); m.To != stored {
				t.Errorf("typed %q: message to %q, want the account's %q", typed, m.To, stored)
			}
			// The flow shows what was typed, as it would for an address
			// without an account: the account's spelling stays unseen.
			if st, err := r.engine.Lookup(ctx, f.ID); err != nil || st.Email != otpd.MustParseAddress(typed) {
				t.Errorf("typed %q: the flow shows %q, %v", typed, st.Email, err)
			}
		}
	}

	// A reset asked for by another spelling tells the account's address.
	r.clock.Advance(time.Hour)
	f, err := r.engine.ForgotPassword(ctx, "MIKE@example.com", who)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.engine.ResetPassword(ctx, f.ID, r.code(t, "mike@example.com"), "a long passphrase nobody guesses", who); err != nil {
		t.Fatal(err)
	}
	if m := r.deliver(t, "mike@example.com"); m.To != mike.Email || !strings.Contains(m.Subject, "password") {
		t.Errorf("the reset's notice: %q to %q, want to %q", m.Subject, m.To, mike.Email)
	}

	lookalike := "m\u0130ke@example.com"
	f = r.signIn(t, lookalike)
	m := r.deliver(t, lookalike)
	if m.To.String() != lookalike {
		t.Fatalf("look-alike's code went to %q", m.To)
	}
	in, err := r.engine.Verify(ctx, f.ID, r.code(t, lookalike), who)
	if err != nil {
		t.Fatal(err)
	}
	if in.Account.ID == mike.ID || !in.AccountCreated {
		t.Errorf("the look-alike's code signed in to %q (created %v), mike is %q", in.Account.Email, in.AccountCreated, mike.ID)
	}
	if got, err := r.store.AccountByEmail(ctx, otpd.MustParseAddress("mike@example.com")); err != nil || got.ID != mike.ID {
		t.Errorf("mike's account: %v %v", got, err)
	}
}
