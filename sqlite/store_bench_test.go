package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/mail"
	"github.com/otpd/otpd/sqlite"
	"github.com/otpd/otpd/storetest"
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

var benchAt = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

func benchStore(b *testing.B) *sqlite.Store {
	b.Helper()
	s, err := sqlite.Open(b.Context(), filepath.Join(b.TempDir(), "otpd.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// signedUp is a verified first code: an account with a session.
func signedUp(b *testing.B, s *sqlite.Store) otpd.VerifyResult {
	b.Helper()
	req := storetest.BenchRequested(b, s, 1, benchAt)[0]
	res, err := s.VerifyCode(b.Context(), storetest.BenchVerify(req.Challenge, benchAt))
	if err != nil || res.Outcome != otpd.OutcomeVerified {
		b.Fatalf("VerifyCode: %s, %v", res.Outcome, err)
	}
	return res
}

// signIn is one complete sign-in of a new address, as the engine, the
// outbox worker (delivering to the dev mailbox) and the first
// authenticated request make it.
func signIn(ctx context.Context, s *sqlite.Store, sealed []byte) error {
	req := storetest.BenchRequest(benchAt)
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
	if _, err := s.FinishSent(ctx, storetest.MessageIDs(msgs), benchAt); err != nil {
		return err
	}
	ch, err := s.LatestChallenge(ctx, req.Challenge.FlowID)
	if err != nil {
		return err
	}
	at := benchAt.Add(time.Minute)
	vreq := storetest.BenchVerify(ch, at)
	vreq.SignedInFrom = &otpd.Place{}
	res, err := s.VerifyCode(ctx, vreq)
	if err != nil || res.Outcome != otpd.OutcomeVerified {
		return fmt.Errorf("VerifyCode: %s, %v", res.Outcome, err)
	}
	_, err = s.SessionByTokenHash(ctx, res.Session.TokenHash)
	return err
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
