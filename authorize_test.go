package otpd

import (
	"slices"
	"testing"
	"time"
)

func dur(d time.Duration) *time.Duration { return &d }

func TestNextAuthStep(t *testing.T) {
	created := t0
	// Sessions, by when they signed in and how.
	old := Session{ID: "s", AccountID: "acct", CreatedAt: created.Add(-2 * time.Hour), FlowID: "f"}
	oldByPassword := Session{ID: "s", AccountID: "acct", CreatedAt: created.Add(-2 * time.Hour)}
	steppedUpNow := old
	steppedUpNow.SteppedUpAt = created.Add(time.Minute)
	steppedUpBefore := old
	steppedUpBefore.SteppedUpAt = created.Add(-time.Minute)
	signedInNow := Session{ID: "s", AccountID: "acct", CreatedAt: created.Add(30 * time.Second), FlowID: "f"}
	signedInNowByPassword := Session{ID: "s", AccountID: "acct", CreatedAt: created.Add(30 * time.Second)}

	grant := Grant{AccountID: "acct", ClientID: "app", Scopes: []string{"openid", "email"}}
	narrow := Grant{AccountID: "acct", ClientID: "app", Scopes: []string{"openid"}}

	req := func(mods ...func(*AuthRequest)) AuthRequest {
		r := AuthRequest{ID: "r", ClientID: "app", Scopes: []string{"openid", "email"}, CreatedAt: created}
		for _, mod := range mods {
			mod(&r)
		}
		return r
	}
	prompt := func(p ...string) func(*AuthRequest) { return func(r *AuthRequest) { r.Prompt = p } }
	maxAge := func(d time.Duration) func(*AuthRequest) { return func(r *AuthRequest) { r.MaxAge = dur(d) } }
	fresh := func(r *AuthRequest) { r.ACRValues = []string{ACRFreshCode} }
	hint := func(sub string) func(*AuthRequest) { return func(r *AuthRequest) { r.HintSubject = sub } }
	in := func(s Session, g Grant) AuthState { return AuthState{SignedIn: true, Session: s, Grant: g} }
	out := AuthState{}
	firstParty := func(st AuthState) AuthState { st.FirstParty = true; return st }

	issue := AuthStep{Next: AuthIssue, ACR: ACRSession}
	issueFresh := AuthStep{Next: AuthIssue, ACR: ACRFreshCode}
	signIn := AuthStep{Next: AuthSignIn}
	confirm := AuthStep{Next: AuthConfirm}
	consent := AuthStep{Next: AuthConsent, ACR: ACRSession}
	refuse := func(r AuthRefusal) AuthStep { return AuthStep{Next: AuthRefuse, Refusal: r} }

	for _, tc := range []struct {
		name  string
		req   AuthRequest
		state AuthState
		want  AuthStep
	}{
		// Not signed in.
		{"signed out: sign in", req(), out, signIn},
		{"signed out, prompt=none: login_required", req(prompt(PromptNone)), out, refuse(RefuseLoginRequired)},
		{"signed out, prompt=login: sign in", req(prompt(PromptLogin)), out, signIn},
		{"signed out, prompt=consent: sign in first", req(prompt(PromptConsent)), out, signIn},
		{"signed out, max_age=0: sign in", req(maxAge(0)), out, signIn},
		{"signed out, fresh code asked: sign in", req(fresh), out, signIn},

		// Signed in, no prompt.
		{"signed in, grant covers: issue", req(), in(old, grant), issue},
		{"signed in, no grant: consent", req(), in(old, Grant{}), consent},
		{"signed in, grant narrower: consent", req(), in(old, narrow), consent},
		{"signed in, grant of another app is zero: consent", req(), in(old, Grant{Scopes: []string{"openid", "email"}}), consent},

		// prompt=none while signed in.
		{"prompt=none, grant covers: issue", req(prompt(PromptNone)), in(old, grant), issue},
		{"prompt=none, no grant: consent_required", req(prompt(PromptNone)), in(old, Grant{}), refuse(RefuseConsentRequired)},
		{"prompt=none, grant narrower: consent_required", req(prompt(PromptNone)), in(old, narrow), refuse(RefuseConsentRequired)},

		// prompt=login.
		{"prompt=login, old session: confirm", req(prompt(PromptLogin)), in(old, grant), confirm},
		{"prompt=login, confirmed after the request: issue", req(prompt(PromptLogin)), in(steppedUpNow, grant), issue},
		{"prompt=login, confirmed just before the request: confirm", req(prompt(PromptLogin)), in(steppedUpBefore, grant), confirm},
		{"prompt=login, signed in after the request: issue", req(prompt(PromptLogin)), in(signedInNow, grant), issue},
		{"prompt=login, fresh, no grant: consent", req(prompt(PromptLogin)), in(steppedUpNow, Grant{}), consent},
		{"prompt=select_account, old session: confirm", req(prompt(PromptSelectAccount)), in(old, grant), confirm},
		{"prompt=select_account, confirmed after: issue", req(prompt(PromptSelectAccount)), in(steppedUpNow, grant), issue},

		// A first-party app is not consented to unless it asks.
		{"first party, no grant: issue", req(), firstParty(in(old, Grant{})), issue},
		{"first party, prompt=none, no grant: issue", req(prompt(PromptNone)), firstParty(in(old, Grant{})), issue},
		{"first party, prompt=consent: consent", req(prompt(PromptConsent)), firstParty(in(old, grant)), consent},
		{"first party, old session, prompt=login: confirm", req(prompt(PromptLogin)), firstParty(in(old, Grant{})), confirm},

		// prompt=consent.
		{"prompt=consent, grant covers: consent anyway", req(prompt(PromptConsent)), in(old, grant), consent},
		{"prompt=consent login, old: confirm first", req(prompt(PromptConsent, PromptLogin)), in(old, grant), confirm},
		{"prompt=consent login, fresh: consent", req(prompt(PromptConsent, PromptLogin)), in(steppedUpNow, grant), consent},

		// max_age.
		{"max_age=0, old: confirm", req(maxAge(0)), in(old, grant), confirm},
		{"max_age=0, stepped up after the request: issue (no loop)", req(maxAge(0)), in(steppedUpNow, grant), issue},
		{"max_age=0, signed in after the request: issue (no loop)", req(maxAge(0)), in(signedInNow, grant), issue},
		{"max_age=0, prompt=none, old: login_required", req(maxAge(0), prompt(PromptNone)), in(old, grant), refuse(RefuseLoginRequired)},
		{"max_age=3h, 2h old: issue", req(maxAge(3 * time.Hour)), in(old, grant), issue},
		{"max_age=1h, 2h old: confirm", req(maxAge(time.Hour)), in(old, grant), confirm},
		{"max_age=2h exactly: issue", req(maxAge(2 * time.Hour)), in(old, grant), issue},
		{"max_age=1h, stepped up 1 min before: issue", req(maxAge(time.Hour)), in(steppedUpBefore, grant), issue},
		{"max_age=1h, prompt=none, 2h old: login_required", req(maxAge(time.Hour), prompt(PromptNone)), in(old, grant), refuse(RefuseLoginRequired)},

		// acr_values fresh code.
		{"fresh code, old session: confirm", req(fresh), in(old, grant), confirm},
		{"fresh code, prompt=none: interaction_required", req(fresh, prompt(PromptNone)), in(old, grant), refuse(RefuseInteractionRequired)},
		{"fresh code, stepped up after the request: issue, acr fresh", req(fresh), in(steppedUpNow, grant), issueFresh},
		{"fresh code, stepped up before the request: confirm", req(fresh), in(steppedUpBefore, grant), confirm},
		{"fresh code, signed in by code after: issue, acr fresh", req(fresh), in(signedInNow, grant), issueFresh},
		{"fresh code, signed in by password after: confirm", req(fresh), in(signedInNowByPassword, grant), confirm},
		{"fresh code, password session: confirm", req(fresh), in(oldByPassword, grant), confirm},
		{"fresh code satisfied, no grant: consent, acr fresh", req(fresh), in(steppedUpNow, Grant{}), AuthStep{Next: AuthConsent, ACR: ACRFreshCode}},
		{"fresh code and max_age=0, stepped up after: issue", req(fresh, maxAge(0)), in(steppedUpNow, grant), issueFresh},

		// id_token_hint.
		{"hint names the account: issue", req(hint("acct")), in(old, grant), issue},
		{"hint names another account: confirm", req(hint("other")), in(old, grant), confirm},
		{"hint names another, prompt=none: login_required", req(hint("other"), prompt(PromptNone)), in(old, grant), refuse(RefuseLoginRequired)},
		{"hint names another, stepped up: still confirm", req(hint("other")), in(steppedUpNow, grant), confirm},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := NextAuthStep(tc.req, tc.state); got != tc.want {
				t.Errorf("NextAuthStep = %+v, want %+v", got, tc.want)
			}
		})
	}
}

// The confirm page's code must end the confirm step for every rule that
// sends a person there: run the step, "enter a code" when it says
// confirm, and require it to move on within one round.
func TestFreshMaxAgeZeroDoesNotLoop(t *testing.T) {
	created := t0
	grant := Grant{AccountID: "acct", ClientID: "app", Scopes: []string{"openid"}}
	for _, r := range []AuthRequest{
		{Scopes: []string{"openid"}, CreatedAt: created, MaxAge: dur(0)},
		{Scopes: []string{"openid"}, CreatedAt: created, Prompt: []string{PromptLogin}},
		{Scopes: []string{"openid"}, CreatedAt: created, Prompt: []string{PromptSelectAccount}},
		{Scopes: []string{"openid"}, CreatedAt: created, ACRValues: []string{ACRFreshCode}, MaxAge: dur(0)},
	} {
		s := Session{AccountID: "acct", CreatedAt: created.Add(-time.Hour)}
		now := created
		for round := 0; ; round++ {
			if round == 2 {
				t.Fatalf("%+v: still asks to confirm after a fresh code", r)
			}
			step := NextAuthStep(r, AuthState{SignedIn: true, Session: s, Grant: grant})
			if step.Next == AuthIssue {
				break
			}
			if step.Next != AuthConfirm {
				t.Fatalf("%+v: step %+v", r, step)
			}
			// The person takes ten minutes to read their mail.
			now = now.Add(10 * time.Minute)
			s.SteppedUpAt = now
		}
	}
}

func TestFresh(t *testing.T) {
	r := AuthRequest{CreatedAt: t0}
	if !Fresh(r, time.Time{}) {
		t.Error("without max_age, any sign-in is fresh")
	}
	r.MaxAge = dur(0)
	if Fresh(r, t0.Add(-time.Nanosecond)) {
		t.Error("max_age=0 took a sign-in before the request")
	}
	if !Fresh(r, t0) || !Fresh(r, t0.Add(time.Hour)) {
		t.Error("max_age=0 refused a sign-in at or after the request")
	}
	r.MaxAge = dur(time.Minute)
	if !Fresh(r, t0.Add(-time.Minute)) || Fresh(r, t0.Add(-time.Minute-time.Nanosecond)) {
		t.Error("max_age=60 s: the edge is not inclusive")
	}
}

func TestAuthTimeAndLastCode(t *testing.T) {
	s := Session{CreatedAt: t0}
	if !AuthTime(s).Equal(t0) || !LastCodeAt(s).IsZero() {
		t.Errorf("password session: AuthTime %v, LastCodeAt %v", AuthTime(s), LastCodeAt(s))
	}
	s.FlowID = "f"
	if !LastCodeAt(s).Equal(t0) {
		t.Errorf("code session: LastCodeAt %v", LastCodeAt(s))
	}
	s.SteppedUpAt = t0.Add(time.Hour)
	if !AuthTime(s).Equal(t0.Add(time.Hour)) || !LastCodeAt(s).Equal(t0.Add(time.Hour)) {
		t.Errorf("stepped up: AuthTime %v, LastCodeAt %v", AuthTime(s), LastCodeAt(s))
	}
}

func TestAMR(t *testing.T) {
	for _, tc := range []struct {
		name    string
		s       Session
		started Challenge
		want    []string
	}{
		{"password alone", Session{}, Challenge{}, []string{"pwd"}},
		{"code alone", Session{FlowID: "f"}, Challenge{}, []string{"otp"}},
		{"code after a password", Session{FlowID: "f"}, Challenge{AfterPassword: true}, []string{"pwd", "otp", "mfa"}},
		{"password, then a step-up code", Session{SteppedUpAt: t0}, Challenge{}, []string{"pwd", "otp", "mfa"}},
		{"code, then a step-up code", Session{FlowID: "f", SteppedUpAt: t0}, Challenge{}, []string{"otp"}},
	} {
		if got := AMR(tc.s, tc.started); !slices.Equal(got, tc.want) {
			t.Errorf("%s: AMR = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestGrantCovers(t *testing.T) {
	g := Grant{ClientID: "app", Scopes: []string{"openid", "email"}}
	for _, tc := range []struct {
		g      Grant
		scopes []string
		want   bool
	}{
		{g, []string{"openid"}, true},
		{g, []string{"openid", "email"}, true},
		{g, []string{"email", "openid"}, true},
		{g, nil, true},
		{g, []string{"openid", "offline_access"}, false},
		{g, []string{"OPENID"}, false},
		{Grant{}, nil, false},
		{Grant{}, []string{"openid"}, false},
	} {
		if got := tc.g.Covers(tc.scopes); got != tc.want {
			t.Errorf("%+v.Covers(%q) = %v, want %v", tc.g, tc.scopes, got, tc.want)
		}
	}
}

func TestSigningKeyChoice(t *testing.T) {
	a := SigningKey{ID: "a", SignsFrom: t0, ExpiresAt: t0.Add(48 * time.Hour)}
	b := SigningKey{ID: "b", SignsFrom: t0.Add(24 * time.Hour)}
	keys := []SigningKey{a, b}
	for _, tc := range []struct {
		now  time.Time
		want string
	}{
		{t0.Add(-time.Second), ""},
		{t0, "a"},
		{t0.Add(24*time.Hour - time.Second), "a"}, // b published, not yet signing
		{t0.Add(24 * time.Hour), "b"},
		{t0.Add(72 * time.Hour), "b"},
	} {
		k, ok := Signing(keys, tc.now)
		if (tc.want == "") == ok || k.ID != tc.want {
			t.Errorf("at %v: Signing = %q %v, want %q", tc.now, k.ID, ok, tc.want)
		}
	}
	if a.Published(t0.Add(48*time.Hour)) || !a.Published(t0.Add(47*time.Hour)) || !b.Published(t0.Add(1000*time.Hour)) {
		t.Error("Published ignores ExpiresAt")
	}
}
