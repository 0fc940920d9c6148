package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/postgres"
	"github.com/otpd/otpd/postgres/pgtest"
	"github.com/otpd/otpd/storetest"
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

func benchStore(b *testing.B) *postgres.Store {
	b.Helper()
	_, dsn := pgtest.Schema(b)
	return open(b, dsn)
}

func BenchmarkSignInSteps(b *testing.B) {
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	b.Run("AccountByEmail", func(b *testing.B) {
		s := benchStore(b)
		req := storetest.BenchRequested(b, s, 1, at)[0]
		if _, err := s.VerifyCode(b.Context(), storetest.BenchVerify(req.Challenge, at)); err != nil {
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
			if err := s.RequestCode(b.Context(), storetest.BenchRequest(at)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ClaimAndFinish", func(b *testing.B) {
		s := benchStore(b)
		storetest.BenchRequested(b, s, b.N, at)
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
		req := storetest.BenchRequested(b, s, 1, at)[0]
		for b.Loop() {
			if _, err := s.LatestChallenge(b.Context(), req.Challenge.FlowID); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("VerifyCode", func(b *testing.B) {
		s := benchStore(b)
		reqs := storetest.BenchRequested(b, s, b.N, at)
		b.ResetTimer()
		for i := range b.N {
			res, err := s.VerifyCode(b.Context(), storetest.BenchVerify(reqs[i].Challenge, at.Add(time.Minute)))
			if err != nil || res.Outcome != otpd.OutcomeVerified {
				b.Fatalf("VerifyCode: %s, %v", res.Outcome, err)
			}
		}
	})
	b.Run("SaveDeviceAndRecordSignIn", func(b *testing.B) {
		s := benchStore(b)
		req := storetest.BenchRequested(b, s, 1, at)[0]
		res, err := s.VerifyCode(b.Context(), storetest.BenchVerify(req.Challenge, at))
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
				AccountID: acct.ID, Email: acct.Email, IP: "192.0.2.1", Concerns: "Firefox on Linux"}
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
		req := storetest.BenchRequested(b, s, 1, at)[0]
		res, err := s.VerifyCode(b.Context(), storetest.BenchVerify(req.Challenge, at))
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
	req := storetest.BenchRequest(at)
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
	if _, err := s.FinishSent(ctx, storetest.MessageIDs(msgs), at); err != nil {
		return err
	}
	ch, err := s.LatestChallenge(ctx, req.Challenge.FlowID)
	if err != nil {
		return err
	}
	at = at.Add(time.Minute)
	vreq := storetest.BenchVerify(ch, at)
	vreq.SignedInFrom = &otpd.Place{}
	res, err := s.VerifyCode(ctx, vreq)
	if err != nil || res.Outcome != otpd.OutcomeVerified {
		return fmt.Errorf("VerifyCode: %s, %v", res.Outcome, err)
	}
	// A first sign-in remembers its device, with an event.
	acct := res.Account
	d := otpd.Device{ID: "device-" + ch.ID, AccountID: acct.ID, Name: "Firefox on Linux", FirstSeen: at, LastSeen: at, LastIP: "192.0.2.1"}
	ev := otpd.Event{ID: "device-event-" + ch.ID, Type: otpd.EventDeviceRemembered, At: at, AccountID: acct.ID,
		Email: acct.Email, IP: "192.0.2.1", UserAgent: ch.UserAgent, Concerns: "Firefox on Linux"}
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
