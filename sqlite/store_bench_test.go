package sqlite_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/mail"
	"github.com/otpd/otpd/sqlite"
)

// The benchmarks measure the store operations of one complete sign-in on
// SQLite, each as the engine makes it, the same steps as postgres's:
//
//	SignIn           AccountByEmail, RequestCode
//	outbox worker    ClaimMessages, KeepDevMessage (dev mailbox), FinishSent
//	Verify           LatestChallenge, VerifyCode (which records the sign-in)
//	each request     SessionByTokenHash
//
// Flow runs them all in a row, FlowParallel many flows at once. Every
// write is one immediate transaction, so writes queue for SQLite's one
// write lock: FlowParallel shows what that costs. Run them with
//
//	go test -run XXX -bench . -benchmem ./sqlite/

var benchSeq atomic.Int64

var benchAt = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// benchRequest is the first code of a new flow for a new address, at
// realistic limits and with a payload the size of a sealed message.
func benchRequest(at time.Time) otpd.CodeRequest {
	n := benchSeq.Add(1)
	addr := otpd.MustParseAddress(fmt.Sprintf("bench%d@example.com", n))
	id, flow := fmt.Sprintf("bench-challenge-%d", n), fmt.Sprintf("bench-flow-%d", n)
	payload := make([]byte, 600)
	rand.Read(payload)
	ua := "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"
	return otpd.CodeRequest{
		Challenge: otpd.Challenge{
			ID: id, FlowID: flow, Purpose: otpd.PurposeSignUp, Email: addr, CodeMAC: benchMAC(id),
			CreatedAt: at, ExpiresAt: at.Add(10 * time.Minute), MaxAttempts: 5, Status: otpd.StatusPending,
			IP: "192.0.2.1", UserAgent: ua,
		},
		Message: otpd.OutboxMessage{
			ID: fmt.Sprintf("bench-message-%d", n), ChallengeID: id, MessageID: "<" + id + "@otpd.test>",
			Kind: otpd.MessageCode, To: addr, Payload: payload, CreatedAt: at,
			NotAfter: at.Add(10 * time.Minute), NextAttempt: at, State: otpd.MessageQueued,
		},
		Event: otpd.Event{ID: fmt.Sprintf("bench-event-%d", n), At: at, Email: addr, FlowID: flow,
			IP: "192.0.2.1", UserAgent: ua, Detail: "code requested to sign up"},
		Limits: otpd.SendLimits{PerHour: 5, PerDay: 10, ResendCooldown: 30 * time.Second},
	}
}

func benchMAC(challengeID string) []byte {
	sum := sha256.Sum256([]byte(challengeID))
	return sum[:]
}

// benchVerify submits the right code for ch, signing its address up.
func benchVerify(ch otpd.Challenge, at time.Time) otpd.VerifyRequest {
	hash := sha256.Sum256([]byte("token " + ch.ID))
	return otpd.VerifyRequest{
		ChallengeID: ch.ID, CodeMAC: benchMAC(ch.ID), Now: at,
		Guess: otpd.GuessLimits{MaxWrong: 10, Window: 12 * time.Hour},
		Session: otpd.Session{ID: "session-" + ch.ID, TokenHash: hash[:], CreatedAt: at, LastSeenAt: at,
			ExpiresAt: at.Add(720 * time.Hour), IP: "192.0.2.1", UserAgent: ch.UserAgent},
		NewAccountID: "account-" + ch.ID,
		Event:        otpd.Event{At: at, Email: ch.Email, FlowID: ch.FlowID, IP: "192.0.2.1", UserAgent: ch.UserAgent},
	}
}

func benchStore(b *testing.B) *sqlite.Store {
	b.Helper()
	s, err := sqlite.Open(b.Context(), filepath.Join(b.TempDir(), "otpd.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// requested queues n first codes and returns their requests.
func requested(b *testing.B, s *sqlite.Store, n int) []otpd.CodeRequest {
	b.Helper()
	reqs := make([]otpd.CodeRequest, n)
	for i := range reqs {
		reqs[i] = benchRequest(benchAt)
		if err := s.RequestCode(b.Context(), reqs[i]); err != nil {
			b.Fatal(err)
		}
	}
	return reqs
}

// signedUp is a verified first code: an account with a session.
func signedUp(b *testing.B, s *sqlite.Store) otpd.VerifyResult {
	b.Helper()
	req := requested(b, s, 1)[0]
	res, err := s.VerifyCode(b.Context(), benchVerify(req.Challenge, benchAt))
	if err != nil || res.Outcome != otpd.OutcomeVerified {
		b.Fatalf("VerifyCode: %s, %v", res.Outcome, err)
	}
	return res
}

// signIn is one complete sign-in of a new address, as the engine, the
// outbox worker (delivering to the dev mailbox) and the first
// authenticated request make it.
func signIn(ctx context.Context, s *sqlite.Store, sealed []byte) error {
	req := benchRequest(benchAt)
	if _, err := s.AccountByEmail(ctx, req.Challenge.Email); !errors.Is(err, otpd.ErrNotFound) {
		return fmt.Errorf("AccountByEmail of a new address: %v", err)
	}
	if err := s.RequestCode(ctx, req); err != nil {
		return err
	}
	// Another flow's claim may take this one's message; either way one
	// claim, one kept message and one finish per sign-in is the cost.
	msgs, err := s.ClaimMessages(ctx, benchAt, time.Minute, 1)
	if err != nil {
		return err
	}
	for _, m := range msgs {
		dm := otpd.DevMessage{MessageID: m.MessageID, To: m.To, At: benchAt, Sealed: sealed}
		if err := s.KeepDevMessage(ctx, dm, mail.DefaultDevMailboxSize); err != nil {
			return err
		}
	}
	// A worker finishes its round's sent messages in one write; a round
	// of one is the most this costs a sign-in.
	if _, err := s.FinishSent(ctx, messageIDs(msgs), benchAt); err != nil {
		return err
	}
	ch, err := s.LatestChallenge(ctx, req.Challenge.FlowID)
	if err != nil {
		return err
	}
	at := benchAt.Add(time.Minute)
	vreq := benchVerify(ch, at)
	vreq.SignedInFrom = &otpd.Place{}
	res, err := s.VerifyCode(ctx, vreq)
	if err != nil || res.Outcome != otpd.OutcomeVerified {
		return fmt.Errorf("VerifyCode: %s, %v", res.Outcome, err)
	}
	_, err = s.SessionByTokenHash(ctx, res.Session.TokenHash)
	return err
}

func messageIDs(msgs []otpd.OutboxMessage) []string {
	ids := make([]string, len(msgs))
	for i, m := range msgs {
		ids[i] = m.ID
	}
	return ids
}

func BenchmarkFlow(b *testing.B) {
	s := benchStore(b)
	sealed := make([]byte, 6000)
	b.ReportAllocs()
	for b.Loop() {
		if err := signIn(b.Context(), s, sealed); err != nil {
			b.Fatal(err)
		}
	}
}

// FlowParallel runs 16 sign-ins at a time per core: ns/op is the wall
// time per sign-in at that concurrency, so 1e9/ns-op is the sign-ins a
// second the store alone allows.
func BenchmarkFlowParallel(b *testing.B) {
	s := benchStore(b)
	sealed := make([]byte, 6000)
	b.SetParallelism(16)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := signIn(b.Context(), s, sealed); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
