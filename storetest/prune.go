package storetest

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/otpd/otpd"
)

var pruneTests = []test{
	{"Events", testPruneEvents},
	{"Challenges", testPruneChallenges},
	{"Sessions", testPruneSessions},
	{"Guards", testPruneGuards},
	{"KeepsAddressChange", testPruneKeepsAddressChange},
	{"ZeroAgesKeepAll", testPruneZeroAges},
	{"Limit", testPruneLimit},
	{"ConcurrentRounds", testPruneConcurrently},
	{"OIDC", testPruneOIDC},
	{"AppNotices", testPruneAppNotices},
}

const day = 24 * time.Hour

func prune(t *testing.T, s otpd.Store, req otpd.PruneRequest) otpd.PruneResult {
	t.Helper()
	res, err := s.Prune(t.Context(), req)
	if err != nil {
		t.Fatalf("Prune: %v", err)
	}
	if res.Skipped {
		t.Fatal("Prune skipped a round with no other pruner")
	}
	return res
}

// Events go once older than their age, and not a millisecond before:
// code requests are the owner's evidence.
func testPruneEvents(t *testing.T, s otpd.Store) {
	acct, _ := signUp(t, s, "ana@example.com", t0) // four events at t0
	now := t0.Add(400 * day)
	cut := now.Add(-400 * day).Add(time.Minute)
	older := codeRequest("ana@example.com", acct.ID, cut.Add(-time.Millisecond))
	atCut := codeRequest("ana@example.com", acct.ID, cut)
	mustRequest(t, s, older)
	mustRequest(t, s, atCut)

	res := prune(t, s, otpd.PruneRequest{Now: now.Add(time.Minute), Events: 400 * day})
	if res.Events != 5 || res.Challenges+res.Messages+res.Sessions+res.Guards != 0 {
		t.Errorf("Prune = %+v, want 5 events and nothing else", res)
	}
	evs := events(t, s, acct.ID)
	if len(evs) != 1 || evs[0].ID != atCut.Event.ID {
		t.Errorf("events left: %v, want only the request exactly 400 days old", evs)
	}
}

// requestFinished requests a code at at and records its message as sent.
func requestFinished(t *testing.T, s otpd.Store, email string, at time.Time) otpd.CodeRequest {
	t.Helper()
	req := codeRequest(email, "", at)
	mustRequest(t, s, req)
	if err := s.FinishMessage(t.Context(), req.Message.ID, otpd.MessageSent, at.Add(time.Second), ""); err != nil {
		t.Fatalf("FinishMessage: %v", err)
	}
	return req
}

// A challenge goes, with its message, once it expired longer ago than its
// age; not while its message is queued, and never while it is pending
// within its lifetime, however short the age.
func testPruneChallenges(t *testing.T, s otpd.Store) {
	now := t0.Add(30 * day)
	old := requestFinished(t, s, "bea@example.com", t0)
	queued := codeRequest("cai@example.com", "", t0)
	mustRequest(t, s, queued)
	fresh := requestFinished(t, s, "dan@example.com", now.Add(-time.Minute))

	res := prune(t, s, otpd.PruneRequest{Now: now, Challenges: time.Millisecond})
	if res.Challenges != 1 || res.Messages != 1 || res.Events != 0 {
		t.Errorf("Prune = %+v, want one challenge and its message", res)
	}
	_, err := s.Challenge(t.Context(), old.Challenge.ID)
	wantNotFound(t, err, "Challenge of a pruned challenge")
	for _, req := range []otpd.CodeRequest{queued, fresh} {
		if ch, err := s.Challenge(t.Context(), req.Challenge.ID); err != nil || ch.Status != otpd.StatusPending {
			t.Errorf("challenge %s after Prune: %+v, %v; want it kept", req.Challenge.ID, ch, err)
		}
	}
	if msgs := claim(t, s, now, time.Minute, 10); len(msgs) != 1 || msgs[0].ID != queued.Message.ID {
		t.Fatalf("queued messages after Prune: %v, want the one still queued", msgs)
	}
	if err := s.FinishMessage(t.Context(), queued.Message.ID, otpd.MessageUndeliverable, now, "expired"); err != nil {
		t.Fatalf("FinishMessage: %v", err)
	}
	if res := prune(t, s, otpd.PruneRequest{Now: now, Challenges: time.Millisecond}); res.Challenges != 1 || res.Messages != 1 {
		t.Errorf("Prune once the message finished = %+v, want its challenge and message", res)
	}
}

// signInUntil signs acct in at at with a session that expires at expires.
func signInUntil(t *testing.T, s otpd.Store, acct otpd.Account, at, expires time.Time) otpd.Session {
	t.Helper()
	ch := mustRequest(t, s, codeRequest(acct.Email.String(), acct.ID, at))
	vr := verifyRequest(ch, rightCode, at)
	vr.Session.ExpiresAt = expires
	return mustVerify(t, s, vr).Session
}

// A session goes once it ended, or passed its absolute expiry, longer ago
// than its age; an active one stays, and so does an idle one until its
// absolute expiry is that old.
func testPruneSessions(t *testing.T, s otpd.Store) {
	now := t0.Add(60 * day)
	acct, _ := signUp(t, s, "eve@example.com", now.Add(-time.Hour))
	active := signInUntil(t, s, acct, now.Add(-time.Hour), now.Add(day))
	idle := signInUntil(t, s, acct, now.Add(-20*day), now.Add(10*day))
	endedLongAgo := signInUntil(t, s, acct, now.Add(-20*day), now.Add(10*day))
	endedLately := signInUntil(t, s, acct, now.Add(-20*day), now.Add(10*day))
	expiredLongAgo := signInUntil(t, s, acct, now.Add(-40*day), now.Add(-8*day))
	expiredLately := signInUntil(t, s, acct, now.Add(-40*day), now.Add(-6*day))
	for id, at := range map[string]time.Time{endedLongAgo.ID: now.Add(-8 * day), endedLately.ID: now.Add(-6 * day)} {
		if err := s.EndSession(t.Context(), id, sessionEnded(acct, at)); err != nil {
			t.Fatal(err)
		}
	}

	res := prune(t, s, otpd.PruneRequest{Now: now, Sessions: 7 * day})
	if res.Sessions != 2 || res.Events != 0 {
		t.Errorf("Prune = %+v, want 2 sessions", res)
	}
	for _, tc := range []struct {
		name string
		sess otpd.Session
		kept bool
	}{
		{"active", active, true}, {"idle", idle, true}, {"ended 8 days ago", endedLongAgo, false},
		{"ended 6 days ago", endedLately, true}, {"expired 8 days ago", expiredLongAgo, false},
		{"expired 6 days ago", expiredLately, true},
	} {
		_, err := s.SessionByTokenHash(t.Context(), tc.sess.TokenHash)
		if tc.kept && err != nil {
			t.Errorf("%s session: %v, want it kept", tc.name, err)
		}
		if !tc.kept && !errors.Is(err, otpd.ErrNotFound) {
			t.Errorf("%s session: %v, want it pruned", tc.name, err)
		}
	}
}

// wrongCodes submits n wrong codes for email at at, under guess.
func wrongCodes(t *testing.T, s otpd.Store, email string, n int, at time.Time, guess otpd.GuessLimits) {
	t.Helper()
	for range n {
		ch := mustRequest(t, s, codeRequest(email, "", at))
		vr := verifyRequest(ch, wrongCode, at)
		vr.Guess = guess
		mustVerify(t, s, vr)
	}
}

// A failure count (guard) is never pruned while its window is open or it
// locks its context out: a pruned count would hand out fresh guesses.
func testPruneGuards(t *testing.T, s otpd.Store) {
	guess := otpd.GuessLimits{MaxWrong: 3, Window: time.Hour}
	wrongCodes(t, s, "fay@example.com", guess.MaxWrong, t0, guess)
	// Three failures, two beyond the one free: locked out for 2 x 10 days.
	backoff := otpd.GuessLimits{MaxWrong: 3, Window: time.Hour, Free: 1, Backoff: 10 * day}
	wrongCodes(t, s, "gil@example.com", 3, t0, backoff)

	ages := otpd.PruneRequest{Challenges: day, GuessWindow: guess.Window}
	for _, now := range []time.Time{t0.Add(30 * time.Minute), t0.Add(guess.Window + day - time.Millisecond)} {
		ages.Now = now
		if res := prune(t, s, ages); res.Guards != 0 {
			t.Errorf("Prune at %s = %+v, want the counts kept", now.Sub(t0), res)
		}
	}
	ch := mustRequest(t, s, codeRequest("fay@example.com", "", t0.Add(30*time.Minute)))
	vr := verifyRequest(ch, rightCode, t0.Add(30*time.Minute))
	vr.Guess = guess
	if res := mustVerify(t, s, vr); res.Outcome != otpd.OutcomeLocked {
		t.Errorf("after Prune within the window: %s, want locked", res.Outcome)
	}
	ages.Now = t0.Add(guess.Window + day + time.Millisecond)
	if res := prune(t, s, ages); res.Guards != 1 {
		t.Errorf("Prune a day after the window = %+v, want one count gone, the locked-out one kept", res)
	}
	gil := mustRequest(t, s, codeRequest("gil@example.com", "", ages.Now))
	gv := verifyRequest(gil, rightCode, ages.Now)
	gv.Guess = backoff
	if res := mustVerify(t, s, gv); res.Outcome != otpd.OutcomeLocked {
		t.Errorf("gil after the window's prune: %s, want still locked out", res.Outcome)
	}
	ages.Now = t0.Add(20*day + day + time.Millisecond)
	if res := prune(t, s, ages); res.Guards != 1 {
		t.Errorf("Prune a day after the lockout = %+v, want its count gone", res)
	}
}

// The challenge that confirmed a change of address stays with the
// change's record, however old.
func testPruneKeepsAddressChange(t *testing.T, s otpd.Store) {
	acct, sess := signUp(t, s, "hana@example.com", t0)
	ch, _, res := changeTo(t, s, acct, sess, "hana@new.example", t0.Add(time.Hour))
	if res.Outcome != otpd.OutcomeVerified {
		t.Fatalf("change of address: %s", res.Outcome)
	}
	now := t0.Add(60 * day)
	for _, m := range claim(t, s, now, time.Minute, 100) {
		if err := s.FinishMessage(t.Context(), m.ID, otpd.MessageSent, now, ""); err != nil {
			t.Fatal(err)
		}
	}
	if res := prune(t, s, otpd.PruneRequest{Now: now, Challenges: time.Millisecond}); res.Challenges != 1 {
		t.Errorf("Prune = %+v, want the sign-up's challenge only", res)
	}
	if _, err := s.Challenge(t.Context(), ch.ID); err != nil {
		t.Errorf("the change of address's challenge after Prune: %v", err)
	}
}

// A request with no ages deletes nothing, however far its Now; a negative
// age is refused.
func testPruneZeroAges(t *testing.T, s otpd.Store) {
	acct, sess := signUp(t, s, "gus@example.com", t0)
	if err := s.EndSession(t.Context(), sess.ID, sessionEnded(acct, t0)); err != nil {
		t.Fatal(err)
	}
	if res := prune(t, s, otpd.PruneRequest{Now: t0.Add(1000 * day)}); res != (otpd.PruneResult{}) {
		t.Errorf("Prune with no ages = %+v, want nothing deleted", res)
	}
	if _, err := s.Prune(t.Context(), otpd.PruneRequest{Now: t0, Events: -time.Hour}); err == nil {
		t.Error("Prune with a negative age succeeded")
	}
	if n := len(events(t, s, acct.ID)); n != 5 {
		t.Errorf("%d events left, want all 5", n)
	}
}

// Limit bounds each call; calling again while Full finishes the job.
func testPruneLimit(t *testing.T, s otpd.Store) {
	acct, _ := signUp(t, s, "hal@example.com", t0)
	for i := range 3 {
		mustRequest(t, s, codeRequest("hal@example.com", acct.ID, t0.Add(time.Duration(i+1)*time.Minute)))
	}
	req := otpd.PruneRequest{Now: t0.Add(2 * day), Events: day, Limit: 3}
	var got []int
	for {
		res := prune(t, s, req)
		got = append(got, res.Events)
		if !res.Full(req.Limit) || len(got) > 5 {
			break
		}
	}
	if len(got) != 3 || got[0] != 3 || got[1] != 3 || got[2] != 1 {
		t.Errorf("events deleted per call: %v, want [3 3 1]", got)
	}
}

// Rounds racing (on one node or several) all succeed, and delete each row
// once between them.
func testPruneConcurrently(t *testing.T, s otpd.Store) {
	for i := range 6 {
		signUp(t, s, newID("ivy")+"@example.com", t0.Add(time.Duration(i)*time.Second))
	}
	const rounds = 8
	results := make([]otpd.PruneResult, rounds)
	errs := make([]error, rounds)
	var wg sync.WaitGroup
	for i := range rounds {
		wg.Go(func() {
			results[i], errs[i] = s.Prune(t.Context(), otpd.PruneRequest{Now: t0.Add(2 * day), Events: day})
		})
	}
	wg.Wait()
	deleted := 0
	for i, res := range results {
		if errs[i] != nil {
			t.Errorf("Prune: %v", errs[i])
		}
		deleted += res.Events
	}
	if deleted != 24 {
		t.Errorf("%d events deleted between the rounds, want 24", deleted)
	}
}

// An app notice has no challenge: once finished it goes by its own age,
// as a challenge's messages go by the challenge's; while queued it stays.
func testPruneAppNotices(t *testing.T, s otpd.Store) {
	_, sess := signUp(t, s, "gil@example.com", t0)
	drain(t, s, t0)
	var ids []string
	for _, app := range []string{"old-app", "queued-app", "fresh-app"} {
		at := t0
		if app == "fresh-app" {
			at = t0.Add(29 * day)
		}
		c := withNotice(completion(createAuth(t, s, newAuthRequest(app, at)), sess, true, at), otpd.MustParseAddress("gil@example.com"))
		complete(t, s, c)
		ids = append(ids, c.Notice.ID)
		if app != "queued-app" {
			if err := s.FinishMessage(t.Context(), c.Notice.ID, otpd.MessageSent, at.Add(time.Second), ""); err != nil {
				t.Fatalf("FinishMessage: %v", err)
			}
		}
	}
	now := t0.Add(30 * day)
	res := prune(t, s, otpd.PruneRequest{Now: now, Challenges: day})
	if res.Messages != 1 {
		t.Errorf("Prune = %+v, want the one old finished notice", res)
	}
	if _, ok := queued(t, s, now, ids[1]); !ok {
		t.Errorf("the queued notice was pruned")
	}
	if res := prune(t, s, otpd.PruneRequest{Now: now.Add(2 * day), Challenges: day}); res.Messages != 1 {
		t.Errorf("second Prune = %+v, want the fresh notice once it is old", res)
	}
}
