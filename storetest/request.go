package storetest

import (
	"bytes"
	"testing"
	"time"

	"github.com/otpd/otpd"
)

var requestTests = []test{
	{"RefusedByClient", testRequestRefusedByClient},
	{"Records", testRequestRecords},
	{"Atomic", testRequestAtomic},
	{"LatestChallengeMissing", testLatestMissing},
	{"PerHour", testPerHour},
	{"PerDay", testPerDay},
	{"ResendCooldown", testResendCooldown},
	{"LongestLimitWins", testLongestLimit},
}

// A request stores the challenge, queues its message and records the event.
func testRequestRecords(t *testing.T, s otpd.Store) {
	acct, _ := signUp(t, s, "bob@example.com", t0)
	at := t0.Add(time.Minute)
	req := codeRequest("Bob@example.com", acct.ID, at)
	mustRequest(t, s, req)

	got := latest(t, s, req.Challenge.FlowID)
	wantChallenge(t, got, req.Challenge)

	msgs, err := s.ClaimMessages(t.Context(), at, time.Minute, 10)
	if err != nil {
		t.Fatalf("ClaimMessages: %v", err)
	}
	var found bool
	for _, m := range msgs {
		if m.ID != req.Message.ID {
			continue
		}
		found = true
		want := req.Message
		if m.ChallengeID != want.ChallengeID || m.MessageID != want.MessageID || m.Kind != want.Kind ||
			m.To != want.To || !bytes.Equal(m.Payload, want.Payload) || !m.CreatedAt.Equal(want.CreatedAt) ||
			!m.NotAfter.Equal(want.NotAfter) || m.State != otpd.MessageQueued {
			t.Errorf("queued message %+v, want %+v", m, want)
		}
	}
	if !found {
		t.Errorf("message %s was not queued", req.Message.ID)
	}

	ev := findEvent(t, s, acct.ID, req.Event.ID)
	if ev.Type != otpd.EventCodeRequested || !ev.At.Equal(at) || ev.FlowID != req.Event.FlowID ||
		ev.IP != req.Event.IP || ev.UserAgent != req.Event.UserAgent || ev.Email.Key() != req.Event.Email.Key() ||
		ev.Purpose != req.Event.Purpose || ev.Resend != req.Event.Resend || ev.Concerns != req.Event.Concerns {
		t.Errorf("event %+v, want %+v as %s", ev, req.Event, otpd.EventCodeRequested)
	}
}

// When part of a request cannot be written, none of it is (invariant 4):
// here the message's ID is already taken.
func testRequestAtomic(t *testing.T, s otpd.Store) {
	acct, _ := signUp(t, s, "carol@example.com", t0)
	first := codeRequest("carol@example.com", acct.ID, t0.Add(time.Minute))
	mustRequest(t, s, first)
	before := len(events(t, s, acct.ID))

	second := codeRequest("carol@example.com", acct.ID, t0.Add(2*time.Minute))
	second.Message.ID = first.Message.ID
	if err := s.RequestCode(t.Context(), second); err == nil {
		t.Fatal("RequestCode with a duplicate message ID succeeded")
	}
	_, err := s.LatestChallenge(t.Context(), second.Challenge.FlowID)
	wantNotFound(t, err, "challenge of the failed request")
	if after := len(events(t, s, acct.ID)); after != before {
		t.Errorf("failed request left %d events behind", after-before)
	}
}

func testLatestMissing(t *testing.T, s otpd.Store) {
	_, err := s.LatestChallenge(t.Context(), "no-such-flow")
	wantNotFound(t, err, "LatestChallenge")
}

func testPerHour(t *testing.T, s otpd.Store) {
	limits := otpd.SendLimits{PerHour: 3, PerDay: 100}
	// Spaced 10 minutes apart from t0+1h: the window is full at +20m, and
	// the first code leaves it at t0+2h.
	testSendCap(t, s, limits, otpd.LimitPerHour, 10*time.Minute, time.Hour)
}

func testPerDay(t *testing.T, s otpd.Store) {
	limits := otpd.SendLimits{PerHour: 100, PerDay: 3}
	testSendCap(t, s, limits, otpd.LimitPerDay, 2*time.Hour, 24*time.Hour)
}

// testSendCap sends three codes, step apart, to one address typed in
// different cases, and checks that the fourth is refused until the first
// leaves the window, both for an address with an account and for one
// without (invariant 6).
func testSendCap(t *testing.T, s otpd.Store, limits otpd.SendLimits, l otpd.Limit, step, window time.Duration) {
	for _, hasAccount := range []bool{true, false} {
		name := "without account"
		if hasAccount {
			name = "with account"
		}
		t.Run(name, func(t *testing.T) {
			email := newID("dave") + "@example.com"
			accountID := ""
			if hasAccount {
				acct, _ := signUp(t, s, email, t0)
				accountID = acct.ID
			}
			start := t0.Add(48 * time.Hour) // the sign-up's code has left every window
			typed := []string{email, "DAVE" + email[4:], "Dave" + email[4:]}
			for i, addr := range typed {
				req := codeRequest(addr, accountID, start.Add(time.Duration(i)*step))
				req.Limits = limits
				mustRequest(t, s, req)
			}
			at := start.Add(3 * step)
			refused := codeRequest(email, accountID, at)
			refused.Limits = limits
			wantLimit(t, s.RequestCode(t.Context(), refused), l, start.Add(window).Sub(at))
			_, err := s.LatestChallenge(t.Context(), refused.Challenge.FlowID)
			wantNotFound(t, err, "challenge of a refused request")
			wantQueued(t, s, otpd.MustParseAddress(email), start, at, 3)

			// Retrying after RetryAfter is accepted. Without an account,
			// the retry is a sign-up, and its owner then sees the refusal.
			retry := start.Add(window)
			if hasAccount {
				req := codeRequest(email, accountID, retry)
				req.Limits = limits
				mustRequest(t, s, req)
			} else {
				acct, _ := signUp(t, s, email, retry)
				accountID = acct.ID
			}
			if ev := findEvent(t, s, accountID, refused.Event.ID); ev.Type != otpd.EventCodeRefused || ev.Reason != otpd.ReasonRefused {
				t.Errorf("refused request recorded as %s, want %s", ev.Type, otpd.EventCodeRefused)
			}
		})
	}
}

// wantQueued checks how many messages to addr, made since since, are due at
// now. Claiming them with no lease leaves them due.
func wantQueued(t *testing.T, s otpd.Store, addr otpd.Address, since, now time.Time, want int) {
	t.Helper()
	msgs, err := s.ClaimMessages(t.Context(), now, 0, 1000)
	if err != nil {
		t.Fatalf("ClaimMessages: %v", err)
	}
	n := 0
	for _, m := range msgs {
		if m.To.Key() == addr.Key() && !m.CreatedAt.Before(since) {
			n++
		}
	}
	if n != want {
		t.Errorf("%d messages queued for %s, want %d", n, addr, want)
	}
}

// When several limits refuse, RetryAfter is the longest wait, so that a
// retry after it is not refused by another limit.
func testLongestLimit(t *testing.T, s otpd.Store) {
	tests := []struct {
		name   string
		limits otpd.SendLimits
		sent   []time.Duration // after t0, the last one in the resent flow
		at     time.Duration
		want   otpd.Limit
		wait   time.Duration
	}{
		{"day beats hour and cooldown", otpd.SendLimits{PerHour: 2, PerDay: 2, ResendCooldown: time.Minute},
			[]time.Duration{0, 10 * time.Minute}, 10*time.Minute + time.Second, otpd.LimitPerDay, 24*time.Hour - 10*time.Minute - time.Second},
		{"hour beats day", otpd.SendLimits{PerHour: 1, PerDay: 3},
			[]time.Duration{0, 20 * time.Hour, 23*time.Hour + 30*time.Minute}, 23*time.Hour + 40*time.Minute, otpd.LimitPerHour, 50 * time.Minute},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			email := newID("wanda") + "@example.com"
			var last otpd.CodeRequest
			for _, d := range tc.sent {
				last = codeRequest(email, "", t0.Add(d))
				last.Limits = tc.limits
				mustRequest(t, s, last)
			}
			resend := resendRequest(last.Challenge, t0.Add(tc.at))
			resend.Limits = tc.limits
			wantLimit(t, s.RequestCode(t.Context(), resend), tc.want, tc.wait)
		})
	}
}

// A resend within the cooldown is refused; after it, the new code
// supersedes the flow's pending one.
func testResendCooldown(t *testing.T, s otpd.Store) {
	acct, _ := signUp(t, s, "erin@example.com", t0)
	limits := otpd.SendLimits{PerHour: 100, PerDay: 100, ResendCooldown: time.Minute}
	first := codeRequest("erin@example.com", acct.ID, t0.Add(time.Hour))
	first.Limits = limits
	mustRequest(t, s, first)

	early := resendRequest(first.Challenge, t0.Add(time.Hour+20*time.Second))
	early.Limits = limits
	wantLimit(t, s.RequestCode(t.Context(), early), otpd.LimitCooldown, 40*time.Second)
	if ev := findEvent(t, s, acct.ID, early.Event.ID); ev.Type != otpd.EventCodeRefused || ev.Reason != otpd.ReasonRefused {
		t.Errorf("refused resend recorded as %s, want %s", ev.Type, otpd.EventCodeRefused)
	}
	if got := latest(t, s, first.Challenge.FlowID); got.ID != first.Challenge.ID || got.Status != otpd.StatusPending {
		t.Errorf("after a refused resend the flow's latest is %s (%s), want %s pending", got.ID, got.Status, first.Challenge.ID)
	}

	second := resendRequest(first.Challenge, t0.Add(time.Hour+time.Minute))
	second.Limits = limits
	mustRequest(t, s, second)
	if got := latest(t, s, first.Challenge.FlowID); got.ID != second.Challenge.ID || got.Status != otpd.StatusPending {
		t.Errorf("after a resend the flow's latest is %s (%s), want %s pending", got.ID, got.Status, second.Challenge.ID)
	}
	// The superseded code no longer works, even when right.
	res := mustVerify(t, s, verifyRequest(first.Challenge, rightCode, t0.Add(time.Hour+2*time.Minute)))
	if res.Outcome != otpd.OutcomeClosed || res.Challenge.Status != otpd.StatusSuperseded {
		t.Errorf("right code of the superseded challenge: %s (%s), want %s (%s)",
			res.Outcome, res.Challenge.Status, otpd.OutcomeClosed, otpd.StatusSuperseded)
	}
	if res := mustVerify(t, s, verifyRequest(second.Challenge, rightCode, t0.Add(time.Hour+2*time.Minute))); res.Outcome != otpd.OutcomeVerified {
		t.Errorf("right code of the new challenge: %s, want %s", res.Outcome, otpd.OutcomeVerified)
	}
}

func wantChallenge(t *testing.T, got, want otpd.Challenge) {
	t.Helper()
	if got.ID != want.ID || got.FlowID != want.FlowID || got.Purpose != want.Purpose ||
		got.Email != want.Email || got.AccountID != want.AccountID || !bytes.Equal(got.CodeMAC, want.CodeMAC) ||
		!got.CreatedAt.Equal(want.CreatedAt) || !got.ExpiresAt.Equal(want.ExpiresAt) ||
		got.Attempts != want.Attempts || got.MaxAttempts != want.MaxAttempts || got.Status != want.Status ||
		got.IP != want.IP || got.UserAgent != want.UserAgent {
		t.Errorf("challenge\n got %+v\nwant %+v", got, want)
	}
}

// A request refused before the store (by a limit on the client) leaves only
// its refusal in the record: no challenge, no message.
func testRequestRefusedByClient(t *testing.T, s otpd.Store) {
	acct, _ := signUp(t, s, "cleo@example.com", t0)
	at := t0.Add(time.Minute)
	req := codeRequest("cleo@example.com", acct.ID, at)
	req.Refused = &otpd.LimitError{Limit: otpd.LimitClient, RetryAfter: 42 * time.Second}
	err := s.RequestCode(t.Context(), req)
	wantLimit(t, err, otpd.LimitClient, 42*time.Second)
	_, err = s.LatestChallenge(t.Context(), req.Challenge.FlowID)
	wantNotFound(t, err, "challenge of a refused request")
	if msgs, _ := s.ClaimMessages(t.Context(), at, time.Minute, 10); len(msgs) != 1 {
		t.Errorf("%d messages due, want only the sign-up's", len(msgs))
	}
	if e := findEvent(t, s, acct.ID, req.Event.ID); e.Type != otpd.EventCodeRefused {
		t.Errorf("event %s, want %s", e.Type, otpd.EventCodeRefused)
	}
}
