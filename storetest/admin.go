package storetest

import (
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/otpd/otpd"
)

var adminTests = []test{
	{"List", testAdminList},
	{"Disable", testAdminDisable},
	{"DisableRefusesCodes", testAdminDisableRefusesCodes},
	{"DisabledCodeCloses", testAdminDisabledCodeCloses},
	{"Unlock", testAdminUnlock},
	{"Export", testAdminExport},
	{"Delete", testAdminDelete},
	{"DeleteLeavesOthers", testAdminDeleteLeavesOthers},
	{"DeleteRacesSignIn", testAdminDeleteRacesSignIn},
	{"Tokens", testAdminTokens},
}

// held is an account with something in every table that keeps data
// about an account: two sessions, a pending code, a remembered device, a
// password, a campaign, a guard's failure, an app's grant with its
// tokens, and a letter in the dev mailbox.
type held struct {
	acct    otpd.Account
	sess    otpd.Session
	pending otpd.Challenge
	issued  otpd.Issued
	device  otpd.Device
}

func holdEverything(t *testing.T, s otpd.Store, email string, at time.Time) held {
	t.Helper()
	ctx := t.Context()
	acct, r, code := authorized(t, s, email, at)
	h := held{acct: acct}
	h.issued = redeem(t, s, redeemRequest(r.ClientID, code, at, true))
	h.sess = signIn(t, s, acct, at.Add(time.Minute))
	h.device = device(acct, at, otpd.Place{City: "Lagos", Country: "NG"})
	saveDevice(t, s, h.device, nil)
	if err := s.SetPassword(ctx, otpd.PasswordChange{AccountID: acct.ID, Hash: "$argon2id$storetest",
		Event: accountEvent(acct, otpd.EventPasswordSet, at)}); err != nil {
		t.Fatalf("SetPassword: %v", err)
	}
	h.pending = mustRequest(t, s, codeRequest(email, acct.ID, at.Add(2*time.Minute)))
	if _, _, err := startCampaign(t, s, acct, h.pending, campaign(acct, at.Add(2*time.Minute))); err != nil {
		t.Fatalf("StartCampaign: %v", err)
	}
	reserve(t, s, otpd.GuardKey{Email: acct.Email, Context: otpd.Unfamiliar}, at, roomyGuess)
	// Two sign-ins of an app not yet completed: one hinting at the
	// address, one at the account.
	byAddress, bySubject := newAuthRequest("app", at), newAuthRequest("app", at)
	byAddress.LoginHint, bySubject.LoginHint, bySubject.HintSubject = email, "", acct.ID
	createAuth(t, s, byAddress)
	createAuth(t, s, bySubject)
	mustAdd(t, s, totpChange(acct, at))
	mustAdd(t, s, recoveryChange(acct, at, "held"))
	if err := s.KeepDevMessage(ctx, otpd.DevMessage{MessageID: "<" + h.pending.ID + "@otpd.test>", To: acct.Email, At: at,
		Sealed: []byte("sealed letter")}, 100); err != nil {
		t.Fatalf("KeepDevMessage: %v", err)
	}
	h.acct = account(t, s, acct.ID)
	return h
}

func testAdminList(t *testing.T, s otpd.Store) {
	ctx := t.Context()
	var ids []string
	for _, e := range []string{"a@example.com", "b@example.com", "c@example.com"} {
		acct, _ := signUp(t, s, e, t0)
		ids = append(ids, acct.ID)
	}
	slices.Sort(ids)
	if _, _, err := s.SetDisabled(ctx, otpd.DisableRequest{AccountID: ids[1], Disabled: true,
		Event: accountEvent(otpd.Account{ID: ids[1]}, otpd.EventAccountDisabled, t0)}); err != nil {
		t.Fatal(err)
	}
	list := func(q otpd.AccountQuery) []string {
		t.Helper()
		as, err := s.ListAccounts(ctx, q)
		if err != nil {
			t.Fatalf("ListAccounts(%+v): %v", q, err)
		}
		var got []string
		for _, a := range as {
			got = append(got, a.ID)
		}
		return got
	}
	for _, c := range []struct {
		q    otpd.AccountQuery
		want []string
	}{
		{otpd.AccountQuery{}, ids},
		{otpd.AccountQuery{Limit: 2}, ids[:2]},
		{otpd.AccountQuery{After: ids[0], Limit: 5}, ids[1:]},
		{otpd.AccountQuery{State: otpd.StateDisabled}, ids[1:2]},
		{otpd.AccountQuery{State: otpd.StateActive}, []string{ids[0], ids[2]}},
	} {
		if got := list(c.q); !slices.Equal(got, c.want) {
			t.Errorf("ListAccounts(%+v) = %q, want %q", c.q, got, c.want)
		}
	}
}

// Disabling ends every session, leaves the pending codes and revokes the
// apps' tokens in its transaction, and records its event; doing it again
// changes nothing. Enabling clears it.
func testAdminDisable(t *testing.T, s otpd.Store) {
	ctx := t.Context()
	h := holdEverything(t, s, "dora@example.com", t0)
	at := t0.Add(time.Hour)
	req := otpd.DisableRequest{AccountID: h.acct.ID, Disabled: true, Event: accountEvent(h.acct, otpd.EventAccountDisabled, at)}
	acct, changed, err := s.SetDisabled(ctx, req)
	if err != nil || !changed || !acct.DisabledAt.Equal(at) {
		t.Fatalf("SetDisabled: %v, changed %t, disabled at %s", err, changed, acct.DisabledAt)
	}
	if !account(t, s, h.acct.ID).Disabled() {
		t.Error("the stored account is not disabled")
	}
	if ss, _ := s.Sessions(ctx, h.acct.ID); len(ss) != 0 {
		t.Errorf("%d sessions outlive the disabling", len(ss))
	}
	// A stranger's flow for the address must not close, or it would tell
	// them the address has an account; the right code, which only the
	// owner has, signs nobody in (testAdminDisabledCodeCloses).
	if ch, _ := s.Challenge(ctx, h.pending.ID); ch.Status != otpd.StatusPending {
		t.Errorf("the pending code is %s, want still pending", ch.Status)
	}
	if rt, err := s.RefreshToken(ctx, h.issued.Refresh.Hash); err != nil || rt.RevokedAt.IsZero() {
		t.Errorf("the app's refresh token: %v, revoked at %s", err, rt.RevokedAt)
	}
	if _, err := s.AccessToken(ctx, h.issued.Access.ID, at); !errors.Is(err, otpd.ErrNotFound) {
		t.Errorf("the app's access token still works: %v", err)
	}
	req.Event = accountEvent(h.acct, otpd.EventAccountDisabled, at.Add(time.Minute))
	if _, changed, err := s.SetDisabled(ctx, req); err != nil || changed {
		t.Errorf("disabling again: %v, changed %t", err, changed)
	}
	req = otpd.DisableRequest{AccountID: h.acct.ID, Event: accountEvent(h.acct, otpd.EventAccountEnabled, at.Add(2*time.Minute))}
	if acct, changed, err := s.SetDisabled(ctx, req); err != nil || !changed || acct.Disabled() {
		t.Errorf("enabling: %v, changed %t, disabled %t", err, changed, acct.Disabled())
	}
	evs, _ := s.Events(ctx, h.acct.ID, 2)
	if len(evs) != 2 || evs[0].Type != otpd.EventAccountEnabled || evs[1].Type != otpd.EventAccountDisabled {
		t.Errorf("events %v, want one disabled then one enabled", evs)
	}
	if _, _, err := s.SetDisabled(ctx, otpd.DisableRequest{AccountID: "nobody", Disabled: true,
		Event: accountEvent(otpd.Account{ID: "nobody"}, otpd.EventAccountDisabled, at)}); !errors.Is(err, otpd.ErrNotFound) {
		t.Errorf("disabling no account: %v, want ErrNotFound", err)
	}
}

// An app's authorization code given out before the disabling gets no
// tokens after it: the disabling revoked those there were, and no new
// ones are issued to a disabled account.
func testAdminDisableRefusesCodes(t *testing.T, s otpd.Store) {
	acct, r, code := authorized(t, s, "ines@example.com", t0)
	at := t0.Add(time.Second)
	if _, _, err := s.SetDisabled(t.Context(), otpd.DisableRequest{AccountID: acct.ID, Disabled: true,
		Event: accountEvent(acct, otpd.EventAccountDisabled, at)}); err != nil {
		t.Fatal(err)
	}
	_, err := s.RedeemCode(t.Context(), redeemRequest(r.ClientID, code, at, true))
	wantNotFound(t, err, "redeeming a code of a disabled account")
}

// A right code for a disabled account signs nobody in, even one asked for
// after the disabling, which the engine does not send but a request that
// raced the disabling may have.
func testAdminDisabledCodeCloses(t *testing.T, s otpd.Store) {
	ctx := t.Context()
	acct, _ := signUp(t, s, "dan@example.com", t0)
	if _, _, err := s.SetDisabled(ctx, otpd.DisableRequest{AccountID: acct.ID, Disabled: true,
		Event: accountEvent(acct, otpd.EventAccountDisabled, t0)}); err != nil {
		t.Fatal(err)
	}
	ch := mustRequest(t, s, codeRequest(acct.Email.String(), acct.ID, t0.Add(time.Minute)))
	res := mustVerify(t, s, verifyRequest(ch, rightCode, t0.Add(time.Minute)))
	if res.Outcome != otpd.OutcomeClosed || res.Session.ID != "" {
		t.Errorf("a right code of a disabled account: %s, session %q", res.Outcome, res.Session.ID)
	}
	if ss, _ := s.Sessions(ctx, acct.ID); len(ss) != 0 {
		t.Errorf("%d sessions for a disabled account", len(ss))
	}
	// Nor does a password checked before the disabling.
	sess := verifyRequest(ch, rightCode, t0).Session
	sess.AccountID = acct.ID
	if err := s.StartSession(ctx, sess, nil); !errors.Is(err, otpd.ErrNotFound) {
		t.Errorf("StartSession for a disabled account: %v, want ErrNotFound", err)
	}
}

func testAdminUnlock(t *testing.T, s otpd.Store) {
	ctx := t.Context()
	acct, _ := signUp(t, s, "una@example.com", t0)
	lim := otpd.GuessLimits{MaxWrong: 1, Window: time.Hour}
	key := otpd.GuardKey{Email: acct.Email, Context: otpd.Unfamiliar}
	reserve(t, s, key, t0, lim)
	if a := reserve(t, s, key, t0.Add(time.Second), lim); a.RetryAfter == 0 {
		t.Fatal("the guard did not lock")
	}
	if err := s.RaiseGuard(ctx, acct.ID, t0.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.Unlock(ctx, acct.ID, accountEvent(acct, otpd.EventAccountUnlocked, t0.Add(2*time.Second))); err != nil {
		t.Fatalf("Unlock: %v", err)
	}
	if a := reserve(t, s, key, t0.Add(3*time.Second), lim); a.RetryAfter != 0 || a.Failures != 1 {
		t.Errorf("after unlocking: %+v, want a first failure counted", a)
	}
	if got := account(t, s, acct.ID); got.GuardedAt(t0.Add(time.Minute)) {
		t.Error("the raised guard outlives the unlocking")
	}
	if evs, _ := s.Events(ctx, acct.ID, 1); len(evs) != 1 || evs[0].Type != otpd.EventAccountUnlocked {
		t.Errorf("events %v, want account_unlocked", evs)
	}
	if err := s.Unlock(ctx, "nobody", accountEvent(acct, otpd.EventAccountUnlocked, t0)); !errors.Is(err, otpd.ErrNotFound) {
		t.Errorf("unlocking no account: %v", err)
	}
}

// An export holds what every table keeps about the account.
func testAdminExport(t *testing.T, s otpd.Store) {
	h := holdEverything(t, s, "ella@example.com", t0)
	d, err := s.AccountData(t.Context(), h.acct.ID)
	if err != nil {
		t.Fatalf("AccountData: %v", err)
	}
	wantAccount(t, d.Account, h.acct)
	for what, n := range map[string]int{
		"sessions": len(d.Sessions), "devices": len(d.Devices), "events": len(d.Events), "challenges": len(d.Challenges),
		"messages": len(d.Messages), "campaigns": len(d.Campaigns), "grants": len(d.Grants), "guards": len(d.Guards),
		"methods": len(d.Methods),
	} {
		if n == 0 {
			t.Errorf("the export holds no %s", what)
		}
	}
	if len(d.Methods) != 2 || d.Methods[1].Kind != otpd.MethodRecoveryCodes || d.Methods[1].CodesLeft == 0 {
		t.Errorf("methods %+v, want the authenticator app and the recovery codes", d.Methods)
	}
	if len(d.Sessions) != 2 || !slices.ContainsFunc(d.Challenges, func(c otpd.Challenge) bool { return c.ID == h.pending.ID }) {
		t.Errorf("sessions %d, challenges %v", len(d.Sessions), d.Challenges)
	}
	if _, err := s.AccountData(t.Context(), "nobody"); !errors.Is(err, otpd.ErrNotFound) {
		t.Errorf("AccountData of no account: %v", err)
	}
}

// Delete erases everything about the account that any read can reach,
// leaves counts of its events, and frees the address for a new account.
func testAdminDelete(t *testing.T, s otpd.Store) {
	ctx := t.Context()
	h := holdEverything(t, s, "fay@example.com", t0)
	before, err := s.AccountData(ctx, h.acct.ID)
	if err != nil {
		t.Fatal(err)
	}
	at := t0.Add(time.Hour)
	if err := s.DeleteAccount(ctx, h.acct.ID, at); err != nil {
		t.Fatalf("DeleteAccount: %v", err)
	}
	wantErased(t, s, h)
	counts, err := s.EventCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	total, deleted := 0, 0
	for _, c := range counts {
		if c.Type == otpd.EventAccountDeleted {
			deleted += c.Count
			if c.Day != at.Unix()/86400 {
				t.Errorf("the deletion is counted on day %d, want %d", c.Day, at.Unix()/86400)
			}
			continue
		}
		total += c.Count
	}
	if total != len(before.Events) || deleted != 1 {
		t.Errorf("counts %+v: %d events and %d deletions, want %d and 1", counts, total, deleted, len(before.Events))
	}
	if err := s.DeleteAccount(ctx, h.acct.ID, at); !errors.Is(err, otpd.ErrNotFound) {
		t.Errorf("deleting twice: %v, want ErrNotFound", err)
	}
	sess := h.sess
	sess.ID, sess.TokenHash = newID("session"), tokenHash(newID("token"))
	if err := s.StartSession(ctx, sess, nil); !errors.Is(err, otpd.ErrNotFound) {
		t.Errorf("StartSession for a deleted account: %v, want ErrNotFound", err)
	}
	again, _ := signUp(t, s, "fay@example.com", at.Add(time.Minute))
	if again.ID == h.acct.ID {
		t.Error("the address signed up into the deleted account")
	}
	if evs, _ := s.Events(ctx, again.ID, 0); slices.ContainsFunc(evs, func(e otpd.Event) bool { return e.At.Before(at) }) {
		t.Errorf("the new account inherits events of the deleted one: %v", evs)
	}
}

func wantErased(t *testing.T, s otpd.Store, h held) {
	t.Helper()
	ctx := t.Context()
	if _, err := s.AccountByID(ctx, h.acct.ID); !errors.Is(err, otpd.ErrNotFound) {
		t.Errorf("AccountByID after delete: %v", err)
	}
	if _, err := s.AccountByEmail(ctx, h.acct.Email); !errors.Is(err, otpd.ErrNotFound) {
		t.Errorf("AccountByEmail after delete: %v", err)
	}
	if _, err := s.AccountData(ctx, h.acct.ID); !errors.Is(err, otpd.ErrNotFound) {
		t.Errorf("AccountData after delete: %v", err)
	}
	if _, err := s.SessionByTokenHash(ctx, h.sess.TokenHash); !errors.Is(err, otpd.ErrNotFound) {
		t.Errorf("a session outlives the delete: %v", err)
	}
	if _, err := s.Challenge(ctx, h.pending.ID); !errors.Is(err, otpd.ErrNotFound) {
		t.Errorf("a challenge outlives the delete: %v", err)
	}
	if _, err := s.RefreshToken(ctx, h.issued.Refresh.Hash); !errors.Is(err, otpd.ErrNotFound) {
		t.Errorf("a refresh token outlives the delete: %v", err)
	}
	if _, err := s.Device(ctx, h.acct.ID, h.device.ID); !errors.Is(err, otpd.ErrNotFound) {
		t.Errorf("a device outlives the delete: %v", err)
	}
	for what, n := range map[string]func() (int, error){
		"events":    func() (int, error) { l, err := s.Events(ctx, h.acct.ID, 0); return len(l), err },
		"sessions":  func() (int, error) { l, err := s.Sessions(ctx, h.acct.ID); return len(l), err },
		"devices":   func() (int, error) { l, err := s.Devices(ctx, h.acct.ID); return len(l), err },
		"campaigns": func() (int, error) { l, err := s.Campaigns(ctx, h.acct.ID); return len(l), err },
		"grants":    func() (int, error) { l, err := s.Grants(ctx, h.acct.ID); return len(l), err },
		"letters":   func() (int, error) { l, err := s.DevMessages(ctx, h.acct.Email, 0); return len(l), err },
		"unused codes": func() (int, error) {
			l, err := s.UnusedChallenges(ctx, h.acct.Email, t0.Add(-time.Hour), 0)
			return len(l), err
		},
		"request IPs": func() (int, error) {
			l, err := s.RequestIPs(ctx, h.acct.Email, t0.Add(-time.Hour), 0)
			return len(l), err
		},
		"messages": func() (int, error) {
			l, err := s.ClaimMessages(ctx, t0.Add(time.Hour), time.Minute, 100)
			return len(l), err
		},
	} {
		if got, err := n(); err != nil || got != 0 {
			t.Errorf("%s after delete: %d, %v", what, got, err)
		}
	}
	a := reserve(t, s, otpd.GuardKey{Email: h.acct.Email, Context: otpd.Unfamiliar}, t0.Add(2*time.Hour), roomyGuess)
	if a.Failures != 1 {
		t.Errorf("the address's guard outlives the delete: %d failures", a.Failures)
	}
}

// Deleting one account leaves every other as it was.
func testAdminDeleteLeavesOthers(t *testing.T, s otpd.Store) {
	ctx := t.Context()
	gone := holdEverything(t, s, "gus@example.com", t0)
	kept := holdEverything(t, s, "gwen@example.com", t0)
	before, err := s.AccountData(ctx, kept.acct.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteAccount(ctx, gone.acct.ID, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	after, err := s.AccountData(ctx, kept.acct.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(after.Sessions) != len(before.Sessions) || len(after.Events) != len(before.Events) ||
		len(after.Challenges) != len(before.Challenges) || len(after.Grants) != len(before.Grants) ||
		len(after.Devices) != len(before.Devices) || len(after.Messages) != len(before.Messages) {
		t.Errorf("the other account's data changed:\nbefore %+v\nafter  %+v", before, after)
	}
	if letters, _ := s.DevMessages(ctx, kept.acct.Email, 0); len(letters) != 1 {
		t.Errorf("the other account has %d letters, want 1", len(letters))
	}
}

// A delete racing sign-ins of its account leaves no session for it: each
// sign-in either finished before (and its session is erased) or finds its
// code gone.
func testAdminDeleteRacesSignIn(t *testing.T, s otpd.Store) {
	ctx := t.Context()
	acct, _ := signUp(t, s, "hal@example.com", t0)
	const n = 8
	var chs []otpd.Challenge
	for i := range n {
		chs = append(chs, mustRequest(t, s, codeRequest(acct.Email.String(), acct.ID, t0.Add(time.Duration(i)*time.Millisecond))))
	}
	var wg sync.WaitGroup
	sessions := make(chan otpd.Session, n)
	for _, ch := range chs {
		wg.Go(func() {
			res, err := s.VerifyCode(ctx, verifyRequest(ch, rightCode, t0.Add(time.Second)))
			if err == nil && res.Outcome == otpd.OutcomeVerified {
				sessions <- res.Session
			} else if err != nil && !errors.Is(err, otpd.ErrNotFound) {
				t.Errorf("VerifyCode racing a delete: %v", err)
			}
		})
	}
	wg.Go(func() {
		if err := s.DeleteAccount(ctx, acct.ID, t0.Add(time.Second)); err != nil {
			t.Errorf("DeleteAccount: %v", err)
		}
	})
	wg.Wait()
	close(sessions)
	for sess := range sessions {
		if _, err := s.SessionByTokenHash(ctx, sess.TokenHash); !errors.Is(err, otpd.ErrNotFound) {
			t.Errorf("session %s of the deleted account survives: %v", sess.ID, err)
		}
	}
	if _, err := s.AccountByEmail(ctx, acct.Email); !errors.Is(err, otpd.ErrNotFound) {
		t.Errorf("the account survives: %v", err)
	}
}

func testAdminTokens(t *testing.T, s otpd.Store) {
	ctx := t.Context()
	tok := otpd.AdminToken{ID: newID("token"), Name: "ops", Scope: otpd.ScopeAdminRead, Hash: tokenHash("t1"), CreatedAt: t0}
	if err := s.SaveAdminToken(ctx, tok); err != nil {
		t.Fatalf("SaveAdminToken: %v", err)
	}
	got, err := s.AdminTokenByHash(ctx, tokenHash("t1"))
	if err != nil || got.ID != tok.ID || got.Scope != otpd.ScopeAdminRead || got.Name != "ops" || !got.RevokedAt.IsZero() {
		t.Fatalf("AdminTokenByHash: %+v, %v", got, err)
	}
	if _, err := s.AdminTokenByHash(ctx, tokenHash("t2")); !errors.Is(err, otpd.ErrNotFound) {
		t.Errorf("an unknown token: %v", err)
	}
	if err := s.RevokeAdminToken(ctx, tok.ID, t0.Add(time.Minute)); err != nil {
		t.Fatalf("RevokeAdminToken: %v", err)
	}
	if err := s.RevokeAdminToken(ctx, tok.ID, t0.Add(time.Minute)); !errors.Is(err, otpd.ErrNotFound) {
		t.Errorf("revoking twice: %v", err)
	}
	ts, err := s.AdminTokens(ctx)
	if err != nil || len(ts) != 1 || !ts[0].RevokedAt.Equal(t0.Add(time.Minute)) {
		t.Errorf("AdminTokens: %+v, %v", ts, err)
	}
}
