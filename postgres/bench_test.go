package postgres_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/postgres"
	"github.com/otpd/otpd/postgres/pgtest"
)

// The benchmarks measure the store operations of one complete sign-in,
// each as the engine makes it, against the server OTPD_TEST_POSTGRES names:
//
//	SignIn           AccountByEmail, RequestCode
//	outbox worker    ClaimMessages, FinishSent
//	Verify           LatestChallenge, VerifyCode (which records the sign-in), SaveDevice
//	each request     SessionByTokenHash
//
// Flow runs them all in a row, FlowParallel many flows at once (distinct
// addresses, as real traffic has). The README derives from them what a
// sign-in costs PostgreSQL. Run them with
//
//	go test -run XXX -bench . -benchmem ./postgres/

var benchSeq atomic.Int64

// benchRequest is the first code of a new flow for a new address, at
// realistic limits and with a payload the size of a sealed message.
func benchRequest(at time.Time) otpd.CodeRequest {
	n := benchSeq.Add(1)
	addr := otpd.MustParseAddress(fmt.Sprintf("bench%d@example.com", n))
	id, flow := fmt.Sprintf("bench-challenge-%d", n), fmt.Sprintf("bench-flow-%d", n)
	payload := make([]byte, 600)
	rand.Read(payload)
	return otpd.CodeRequest{
		Challenge: otpd.Challenge{
			ID: id, FlowID: flow, Purpose: otpd.PurposeSignUp, Email: addr, CodeMAC: benchMAC(id),
			CreatedAt: at, ExpiresAt: at.Add(10 * time.Minute), MaxAttempts: 5, Status: otpd.StatusPending,
			IP: "192.0.2.1", UserAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0",
		},
		Message: otpd.OutboxMessage{
			ID: fmt.Sprintf("bench-message-%d", n), ChallengeID: id, MessageID: "<" + id + "@otpd.test>",
			Kind: otpd.MessageCode, To: addr, Payload: payload, CreatedAt: at,
			NotAfter: at.Add(10 * time.Minute), NextAttempt: at, State: otpd.MessageQueued,
		},
		Event: otpd.Event{
			ID: fmt.Sprintf("bench-event-%d", n), At: at, Email: addr, FlowID: flow,
			IP: "192.0.2.1", UserAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0", Detail: "code requested to sign up",
		},
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

func benchStore(b *testing.B) *postgres.Store {
	b.Helper()
	_, dsn := pgtest.Schema(b)
	return open(b, dsn)
}

// requested queues n first codes and returns their requests.
func requested(b *testing.B, s *postgres.Store, n int, at time.Time) []otpd.CodeRequest {
	b.Helper()
	reqs := make([]otpd.CodeRequest, n)
	for i := range reqs {
		reqs[i] = benchRequest(at)
		if err := s.RequestCode(b.Context(), reqs[i]); err != nil {
			b.Fatal(err)
		}
	}
	return reqs
}

func BenchmarkSignInSteps(b *testing.B) {
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	b.Run("AccountByEmail", func(b *testing.B) {
		s := benchStore(b)
		req := requested(b, s, 1, at)[0]
		if _, err := s.VerifyCode(b.Context(), benchVerify(req.Challenge, at)); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if _, err := s.AccountByEmail(b.Context(), req.Challenge.Email); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("RequestCode", func(b *testing.B) {
		s := benchStore(b)
		for b.Loop() {
			if err := s.RequestCode(b.Context(), benchRequest(at)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ClaimAndFinish", func(b *testing.B) {
		s := benchStore(b)
		requested(b, s, b.N, at)
		b.ResetTimer()
		for range b.N {
			msgs, err := s.ClaimMessages(b.Context(), at, time.Minute, 1)
			if err != nil || len(msgs) != 1 {
				b.Fatalf("ClaimMessages: %d, %v", len(msgs), err)
			}
			if err := s.FinishMessage(b.Context(), msgs[0].ID, otpd.MessageSent, at, ""); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("LatestChallenge", func(b *testing.B) {
		s := benchStore(b)
		req := requested(b, s, 1, at)[0]
		for b.Loop() {
			if _, err := s.LatestChallenge(b.Context(), req.Challenge.FlowID); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("VerifyCode", func(b *testing.B) {
		s := benchStore(b)
		reqs := requested(b, s, b.N, at)
		b.ResetTimer()
		for i := range b.N {
			res, err := s.VerifyCode(b.Context(), benchVerify(reqs[i].Challenge, at.Add(time.Minute)))
			if err != nil || res.Outcome != otpd.OutcomeVerified {
				b.Fatalf("VerifyCode: %s, %v", res.Outcome, err)
			}
		}
	})
	b.Run("SaveDeviceAndRecordSignIn", func(b *testing.B) {
		s := benchStore(b)
		req := requested(b, s, 1, at)[0]
		res, err := s.VerifyCode(b.Context(), benchVerify(req.Challenge, at))
		if err != nil {
			b.Fatal(err)
		}
		acct := res.Account
		var n int
		for b.Loop() {
			n++
			d := otpd.Device{ID: fmt.Sprintf("device-%d", n), AccountID: acct.ID, Name: "Firefox on Linux",
				FirstSeen: at, LastSeen: at, LastIP: "192.0.2.1"}
			ev := otpd.Event{ID: fmt.Sprintf("device-event-%d", n), Type: otpd.EventDeviceRemembered, At: at,
				AccountID: acct.ID, Email: acct.Email, IP: "192.0.2.1", Detail: "device remembered"}
			if err := s.SaveDevice(b.Context(), d, &ev); err != nil {
				b.Fatal(err)
			}
			if err := s.RecordSignIn(b.Context(), acct.ID, at, otpd.Place{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("SessionByTokenHash", func(b *testing.B) {
		s := benchStore(b)
		req := requested(b, s, 1, at)[0]
		res, err := s.VerifyCode(b.Context(), benchVerify(req.Challenge, at))
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if _, err := s.SessionByTokenHash(b.Context(), res.Session.TokenHash); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// signIn is one complete sign-in of a new address, as the engine, the
// outbox worker and the first authenticated request make it.
func signIn(ctx context.Context, s *postgres.Store, at time.Time) error {
	req := benchRequest(at)
	if _, err := s.AccountByEmail(ctx, req.Challenge.Email); !errors.Is(err, otpd.ErrNotFound) {
		return fmt.Errorf("AccountByEmail of a new address: %v", err)
	}
	if err := s.RequestCode(ctx, req); err != nil {
		return err
	}
	// Another flow's worker may claim this one's message; either way
	// one claim and one finish per sign-in is the most it costs (a
	// worker finishes a round's sent messages in one transaction).
	msgs, err := s.ClaimMessages(ctx, at, time.Minute, 1)
	if err != nil {
		return err
	}
	ids := make([]string, len(msgs))
	for i, m := range msgs {
		ids[i] = m.ID
	}
	if _, err := s.FinishSent(ctx, ids, at); err != nil {
		return err
	}
	ch, err := s.LatestChallenge(ctx, req.Challenge.FlowID)
	if err != nil {
		return err
	}
	at = at.Add(time.Minute)
	vreq := benchVerify(ch, at)
	vreq.SignedInFrom = &otpd.Place{}
	res, err := s.VerifyCode(ctx, vreq)
	if err != nil || res.Outcome != otpd.OutcomeVerified {
		return fmt.Errorf("VerifyCode: %s, %v", res.Outcome, err)
	}
	// A first sign-in remembers its device, with an event.
	acct := res.Account
	d := otpd.Device{ID: "device-" + ch.ID, AccountID: acct.ID, Name: "Firefox on Linux", FirstSeen: at, LastSeen: at, LastIP: "192.0.2.1"}
	ev := otpd.Event{ID: "device-event-" + ch.ID, Type: otpd.EventDeviceRemembered, At: at, AccountID: acct.ID,
		Email: acct.Email, IP: "192.0.2.1", UserAgent: ch.UserAgent, Detail: "device remembered: Firefox on Linux"}
	if err := s.SaveDevice(ctx, d, &ev); err != nil {
		return err
	}
	_, err = s.SessionByTokenHash(ctx, res.Session.TokenHash)
	return err
}

func BenchmarkFlow(b *testing.B) {
	s := benchStore(b)
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	for b.Loop() {
		if err := signIn(b.Context(), s, at); err != nil {
			b.Fatal(err)
		}
	}
}

// FlowParallel runs 16 sign-ins at a time per core (32 on 2 cores)
// through one node's pool (DefaultMaxConns): ns/op is the wall time per
// sign-in at that concurrency, so 1e9/ns-op is sign-ins per second.
func BenchmarkFlowParallel(b *testing.B) {
	s := benchStore(b)
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	// Open the pool's connections first, as a running node has them:
	// opening one starts a server process, which is not a sign-in's cost.
	errs := make(chan error, postgres.DefaultMaxConns)
	for range postgres.DefaultMaxConns {
		go func() { errs <- signIn(b.Context(), s, at) }()
	}
	for range postgres.DefaultMaxConns {
		if err := <-errs; err != nil {
			b.Fatal(err)
		}
	}
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := signIn(b.Context(), s, at); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
