package signin_test

import (
	"testing"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/signin"
)

// roomy lets a test ask for more codes than a person would.
func roomy(p *signin.Policy) { p.Send.PerHour, p.Send.PerDay = 50, 50 }

// untouched checks that nothing of a report reached the account: no
// report in its activity, no session signed out, no guard raised.
func untouched(t *testing.T, r *rig, in signin.SignedIn) {
	t.Helper()
	evs := activityOf(t, r, in.Account.ID)
	for _, e := range evs {
		if e.Type == otpd.EventCodeDenied || e.Type == otpd.EventSessionsEnded {
			t.Errorf("%s's activity holds %s: %q", in.Account.Email, e.Type, e.Concerns)
		}
	}
	if _, err := r.engine.Authenticate(ctx, in.Token); err != nil {
		t.Errorf("%s's session ended: %v", in.Account.Email, err)
	}
	acct, err := r.store.AccountByID(ctx, in.Account.ID)
	if err != nil {
		t.Fatal(err)
	}
	if acct.GuardedAt(r.clock.Now()) {
		t.Errorf("%s's guard is raised", acct.Email)
	}
}

// confirmFlow has ada, after a step-up, ask to confirm addr as her new
// sign-in or recovery address.
func confirmFlow(t *testing.T, r *rig, ada signin.SignedIn, p otpd.Purpose, addr string) signin.Flow {
	t.Helper()
	r.stepUp(t, ada.Token, who)
	ask := r.engine.ChangeEmail
	if p == otpd.PurposeAddRecovery {
		ask = r.engine.AddRecovery
	}
	f, err := ask(ctx, r.as(ada.Token), addr, who)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

var confirmPurposes = []otpd.Purpose{otpd.PurposeChangeEmail, otpd.PurposeAddRecovery}

// Ada asks to move her account, or add a recovery address, to bob's
// address, then reports that flow from her own activity. Every effect of
// the report is ada's: her report, her guard. Bob, who signed in from the
// same network since, keeps his session, his guard and a clean activity.
func TestReportOfOwnFlowToAnothersAddress(t *testing.T) {
	for _, p := range confirmPurposes {
		t.Run(string(p), func(t *testing.T) {
			r := newRig(t, roomy)
			r.signedIn(t, "bob@example.com")
			ada := r.signedIn(t, "ada@example.com")
			f := confirmFlow(t, r, ada, p, "bob@example.com")
			r.deliver(t, "bob@example.com")
			r.clock.Advance(time.Minute)
			bob := r.signedIn(t, "bob@example.com")

			ch, err := r.engine.ReportFlow(ctx, r.as(ada.Token), f.ID, who)
			if err != nil || ch.Status != otpd.StatusDenied {
				t.Fatalf("ReportFlow: %s, %v", ch.Status, err)
			}
			untouched(t, r, bob)
			wantEventIn(t, activityOf(t, r, ada.Account.ID), otpd.Event{Type: otpd.EventCodeDenied})
			if acct, _ := r.store.AccountByID(ctx, ada.Account.ID); !acct.GuardedAt(r.clock.Now()) {
				t.Error("ada's own report did not raise her guard")
			}
		})
	}
}

// The email of such a flow goes to the new address, and its "This wasn't
// me" link is clicked by that address's owner, who speaks for the address
// and not for ada's account: the code is cancelled and ada's activity
// says so, but no session of anyone ends and no guard goes up, neither
// ada's nor that of the account that owns the address, if any.
func TestDenyByTheNewAddress(t *testing.T) {
	for _, p := range confirmPurposes {
		for _, addr := range []string{"bob@example.com", "nobody@example.org"} {
			t.Run(string(p)+"/"+addr, func(t *testing.T) {
				r := newRig(t, roomy)
				var bob signin.SignedIn
				if addr == "bob@example.com" {
					bob = r.signedIn(t, addr)
				}
				ada := r.signedIn(t, "ada@example.com")
				f := confirmFlow(t, r, ada, p, addr)
				code, token := r.code(t, addr), r.denyToken(t, addr)
				r.clock.Advance(time.Minute)
				if bob.Token != "" {
					bob = r.signedIn(t, addr)
				}

				ch, err := r.engine.Deny(ctx, token, who)
				if err != nil || ch.Status != otpd.StatusDenied {
					t.Fatalf("Deny: %s, %v", ch.Status, err)
				}
				if _, err := r.engine.ConfirmAddress(ctx, r.as(ada.Token), f.ID, code, who); err == nil {
					t.Error("the disowned address was confirmed all the same")
				}
				if bob.Token != "" {
					untouched(t, r, bob)
				}
				if _, err := r.engine.Authenticate(ctx, ada.Token); err != nil {
					t.Errorf("ada's session ended on the new address's word: %v", err)
				}
				if acct, _ := r.store.AccountByID(ctx, ada.Account.ID); acct.GuardedAt(r.clock.Now()) {
					t.Error("ada's guard went up on the new address's word")
				}
				wantEventIn(t, activityOf(t, r, ada.Account.ID), otpd.Event{Type: otpd.EventCodeDenied})
			})
		}
	}
}

// A flow is reported by the account it belongs to. One that another
// account asked for to confirm bob's address as its own is not bob's,
// though its code went to his address; the link in that email is his way
// to say no.
func TestReportRefusesAnotherAccountsFlowToMyAddress(t *testing.T) {
	r := newRig(t, roomy)
	bob := r.signedIn(t, "bob@example.com")
	ada := r.signedIn(t, "ada@example.com")
	f := confirmFlow(t, r, ada, otpd.PurposeChangeEmail, "bob@example.com")
	_, err := r.engine.ReportFlow(ctx, r.as(bob.Token), f.ID, who)
	wantCode(t, err, otpd.ENotFound)
	if ch, err := r.store.LatestChallenge(ctx, f.ID); err != nil || ch.Status != otpd.StatusPending {
		t.Errorf("after a refused report the code is %s, %v; want pending", ch.Status, err)
	}
	untouched(t, r, ada)
}
