// Package storetest is the conformance suite every otpd.Store passes. A
// store's own test calls Run with a constructor for an empty store; each
// subtest gets its own.
//
// The suite drives a store only through the otpd.Store interface and
// passes every time explicitly (from a fixed base, t0), so that it never
// sleeps and runs alike against SQLite, PostgreSQL or any later store.
package storetest

import (
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/otpd/otpd"
)

// Run runs the suite. newStore returns an empty store and arranges, with
// t.Cleanup, for it to be closed and removed.
func Run(t *testing.T, newStore func(t *testing.T) otpd.Store) {
	groups := []struct {
		name  string
		tests []test
	}{
		{"Accounts", accountTests},
		{"RequestCode", requestTests},
		{"SendCaps", capTests},
		{"VerifyCode", verifyTests},
		{"Events", eventTests},
		{"Sessions", sessionTests},
		{"Outbox", outboxTests},
		{"Webhooks", webhookTests},
		{"SentMessages", sentMessageTests},
		{"Forgeries", forgeryTests},
		{"Deny", denyTests},
		{"DevMailbox", devMailTests},
		{"Prune", pruneTests},
		{"Concurrency", concurrencyTests},
		{"Passwords", passwordTests},
		{"Settings", settingsTests},
		{"Addresses", addressTests},
		{"Campaigns", campaignTests},
		{"Owner", ownerTests},
		{"SignIns", signInTests},
		{"Devices", deviceTests},
		{"Guards", guardTests},
		{"Contexts", contextTests},
		{"StepUp", stepUpTests},
		{"Reset", resetTests},
		{"Apps", appTests},
		{"SigningKeys", signingKeyTests},
		{"Authorize", authorizeTests},
		{"Tokens", tokenTests},
		{"Grants", grantTests},
		{"Admin", adminTests},
		{"Methods", methodTests},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			for _, tc := range g.tests {
				t.Run(tc.name, func(t *testing.T) {
					tc.run(t, newStore(t))
				})
			}
		})
	}
}

type test struct {
	name string
	run  func(t *testing.T, s otpd.Store)
}

// t0 is the suite's time base. Stores may keep times to the millisecond,
// so every time the suite uses is a whole millisecond after it.
var t0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

const (
	codeLifetime = 10 * time.Minute
	maxAttempts  = 5
	rightCode    = "424242"
	wrongCode    = "000000"
)

// Roomy limits, for tests that are not about limits: they never meet them.
var (
	roomySend  = otpd.SendLimits{PerHour: 1000, PerDay: 10000}
	roomyGuess = otpd.GuessLimits{MaxWrong: 1000, Window: time.Hour}
)

var lastID atomic.Int64

// newID returns an ID unique within the test binary, named after what it
// identifies so that failures read well.
func newID(kind string) string {
	return fmt.Sprintf("%s-%d", kind, lastID.Add(1))
}

// codeMAC stands in for the server's HMAC: a store only compares MACs.
func codeMAC(challengeID, code string) []byte {
	h := hmac.New(sha256.New, []byte("storetest secret"))
	h.Write([]byte(challengeID + "\x00" + code))
	return h.Sum(nil)
}

func tokenHash(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// codeRequest is a first code for a new flow, whose right code is
// rightCode. accountID is "" for a sign-up.
func codeRequest(email string, accountID string, at time.Time) otpd.CodeRequest {
	purpose := otpd.PurposeSignIn
	if accountID == "" {
		purpose = otpd.PurposeSignUp
	}
	return nextCode(otpd.Challenge{
		FlowID: newID("flow"), Purpose: purpose, Email: otpd.MustParseAddress(email), AccountID: accountID,
	}, at, false)
}

// resendRequest is a new code for prev's flow.
func resendRequest(prev otpd.Challenge, at time.Time) otpd.CodeRequest {
	return nextCode(prev, at, true)
}

func nextCode(prev otpd.Challenge, at time.Time, resend bool) otpd.CodeRequest {
	ch := otpd.Challenge{
		ID: newID("challenge"), FlowID: prev.FlowID, Purpose: prev.Purpose, Email: prev.Email,
		AccountID: prev.AccountID, CreatedAt: at, ExpiresAt: at.Add(codeLifetime),
		MaxAttempts: maxAttempts, Status: otpd.StatusPending, IP: "192.0.2.1", UserAgent: "storetest",
		SessionID: prev.SessionID,
	}
	ch.CodeMAC = codeMAC(ch.ID, rightCode)
	return otpd.CodeRequest{
		Challenge: ch,
		Message: otpd.OutboxMessage{
			ID: newID("message"), ChallengeID: ch.ID, MessageID: "<" + ch.ID + "@otpd.test>",
			Kind: otpd.MessageCode, To: ch.Email, Payload: []byte("sealed " + ch.ID),
			CreatedAt: at, NotAfter: ch.ExpiresAt, NextAttempt: at, State: otpd.MessageQueued,
		},
		Event: otpd.Event{
			ID: newID("event"), At: at, AccountID: ch.AccountID, Email: ch.Email, FlowID: ch.FlowID,
			IP: ch.IP, UserAgent: ch.UserAgent, Purpose: ch.Purpose, Resend: resend, Concerns: "a•••@example.org",
		},
		Limits: roomySend,
		Resend: resend,
	}
}

// verifyRequest submits code for ch at now, with roomy guess limits.
func verifyRequest(ch otpd.Challenge, code string, now time.Time) otpd.VerifyRequest {
	sessionID := newID("session")
	return otpd.VerifyRequest{
		ChallengeID: ch.ID,
		CodeMAC:     codeMAC(ch.ID, code),
		Now:         now,
		Guess:       roomyGuess,
		Session: otpd.Session{
			ID: sessionID, TokenHash: tokenHash(sessionID), CreatedAt: now, LastSeenAt: now,
			ExpiresAt: now.Add(24 * time.Hour), IP: "192.0.2.2", UserAgent: "storetest browser",
		},
		NewAccountID: newID("account"),
		Event:        otpd.Event{At: now, Email: ch.Email, AccountID: ch.AccountID, FlowID: ch.FlowID, IP: "192.0.2.2", UserAgent: "storetest browser"},
	}
}

func mustRequest(t *testing.T, s otpd.Store, req otpd.CodeRequest) otpd.Challenge {
	t.Helper()
	if err := s.RequestCode(t.Context(), req); err != nil {
		t.Fatalf("RequestCode(%s): %v", req.Challenge.ID, err)
	}
	return req.Challenge
}

func mustVerify(t *testing.T, s otpd.Store, req otpd.VerifyRequest) otpd.VerifyResult {
	t.Helper()
	res, err := s.VerifyCode(t.Context(), req)
	if err != nil {
		t.Fatalf("VerifyCode(%s): %v", req.ChallengeID, err)
	}
	return res
}

// signUp creates an account for email at at, the only way a Store makes
// one, and returns it with its first session.
func signUp(t *testing.T, s otpd.Store, email string, at time.Time) (otpd.Account, otpd.Session) {
	t.Helper()
	ch := mustRequest(t, s, codeRequest(email, "", at))
	res := mustVerify(t, s, verifyRequest(ch, rightCode, at))
	if res.Outcome != otpd.OutcomeVerified {
		t.Fatalf("sign up %s: outcome %s, want verified", email, res.Outcome)
	}
	return res.Account, res.Session
}

// signIn signs acct in once more with a code, and returns the session.
func signIn(t *testing.T, s otpd.Store, acct otpd.Account, at time.Time) otpd.Session {
	t.Helper()
	ch := mustRequest(t, s, codeRequest(acct.Email.String(), acct.ID, at))
	res := mustVerify(t, s, verifyRequest(ch, rightCode, at))
	if res.Outcome != otpd.OutcomeVerified {
		t.Fatalf("sign in %s: outcome %s, want verified", acct.Email, res.Outcome)
	}
	return res.Session
}

func account(t *testing.T, s otpd.Store, id string) otpd.Account {
	t.Helper()
	acct, err := s.AccountByID(t.Context(), id)
	if err != nil {
		t.Fatalf("AccountByID(%s): %v", id, err)
	}
	return acct
}

// stored reads a session back as the store keeps it.
func stored(t *testing.T, s otpd.Store, sess otpd.Session) otpd.Session {
	t.Helper()
	got, err := s.SessionByTokenHash(t.Context(), sess.TokenHash)
	if err != nil {
		t.Fatalf("SessionByTokenHash of session %s: %v", sess.ID, err)
	}
	return got
}

// accountEvent is an event of acct as the server records it outside a
// verify, from a known place.
func accountEvent(acct otpd.Account, typ otpd.EventType, at time.Time) otpd.Event {
	return otpd.Event{ID: newID("event"), Type: typ, At: at, AccountID: acct.ID, Email: acct.Email,
		IP: "198.51.100.7", UserAgent: "storetest browser", Place: "Lagos, Nigeria", Reason: otpd.ReasonChanged, Concerns: "storetest " + string(typ)}
}

// noticeKind is the kind of a message that tells an address of a change
// to its account; a store keeps a message's kind as it is given.
const noticeKind otpd.MessageKind = "password_changed"

// notice tells acct's address of a change that the code of challengeID
// confirmed, so that its "this wasn't me" link names that challenge.
func notice(acct otpd.Account, challengeID string, at time.Time) *otpd.OutboxMessage {
	id := newID("notice")
	return &otpd.OutboxMessage{
		ID: id, ChallengeID: challengeID, MessageID: "<" + id + "@otpd.test>", Kind: noticeKind, To: acct.Email,
		Payload: []byte("sealed " + id), CreatedAt: at, NotAfter: at.Add(24 * time.Hour), NextAttempt: at,
		State: otpd.MessageQueued,
	}
}

// queued claims every message due at now and returns the one with ID id,
// or false when it is not among them.
func queued(t *testing.T, s otpd.Store, now time.Time, id string) (otpd.OutboxMessage, bool) {
	t.Helper()
	msgs, err := s.ClaimMessages(t.Context(), now, time.Minute, 1000)
	if err != nil {
		t.Fatalf("ClaimMessages: %v", err)
	}
	for _, m := range msgs {
		if m.ID == id {
			return m, true
		}
	}
	return otpd.OutboxMessage{}, false
}

// wantNotice checks that want was queued, whole, by now.
func wantNotice(t *testing.T, s otpd.Store, now time.Time, want *otpd.OutboxMessage) {
	t.Helper()
	got, ok := queued(t, s, now, want.ID)
	if !ok {
		t.Fatalf("notice %s not queued", want.ID)
	}
	if got.ChallengeID != want.ChallengeID || got.MessageID != want.MessageID || got.Kind != want.Kind ||
		got.To != want.To || string(got.Payload) != string(want.Payload) {
		t.Errorf("queued notice\n got %+v\nwant %+v", got, *want)
	}
}

func latest(t *testing.T, s otpd.Store, flowID string) otpd.Challenge {
	t.Helper()
	ch, err := s.LatestChallenge(t.Context(), flowID)
	if err != nil {
		t.Fatalf("LatestChallenge(%s): %v", flowID, err)
	}
	return ch
}

func events(t *testing.T, s otpd.Store, accountID string) []otpd.Event {
	t.Helper()
	evs, err := s.Events(t.Context(), accountID, 1000)
	if err != nil {
		t.Fatalf("Events(%s): %v", accountID, err)
	}
	return evs
}

// countEvents counts an account's events of one type.
func countEvents(t *testing.T, s otpd.Store, accountID string, typ otpd.EventType) int {
	t.Helper()
	n := 0
	for _, e := range events(t, s, accountID) {
		if e.Type == typ {
			n++
		}
	}
	return n
}

// findEvent returns the account's event with the given ID.
func findEvent(t *testing.T, s otpd.Store, accountID, id string) otpd.Event {
	t.Helper()
	for _, e := range events(t, s, accountID) {
		if e.ID == id {
			return e
		}
	}
	t.Fatalf("account %s has no event %s", accountID, id)
	return otpd.Event{}
}

func wantNotFound(t *testing.T, err error, what string) {
	t.Helper()
	if !errors.Is(err, otpd.ErrNotFound) {
		t.Errorf("%s: error %v, want one wrapping otpd.ErrNotFound", what, err)
	}
}

// wantLimit checks that err is a *otpd.LimitError for limit l that asks to
// wait retryAfter.
func wantLimit(t *testing.T, err error, l otpd.Limit, retryAfter time.Duration) {
	t.Helper()
	var le *otpd.LimitError
	if !errors.As(err, &le) {
		t.Fatalf("error %v, want *otpd.LimitError", err)
	}
	if le.Limit != l || le.RetryAfter != retryAfter {
		t.Errorf("LimitError{%s, %s}, want {%s, %s}", le.Limit, le.RetryAfter, l, retryAfter)
	}
}
