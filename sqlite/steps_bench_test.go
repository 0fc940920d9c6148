package sqlite_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/mail"
	"github.com/otpd/otpd/sqlite"
	"github.com/otpd/otpd/storetest"
)

func BenchmarkSignInSteps(b *testing.B) {
	b.Run("AccountByEmail", func(b *testing.B) {
		s := benchStore(b)
		acct := signedUp(b, s).Account
		b.ReportAllocs()
		for b.Loop() {
			if _, err := s.AccountByEmail(b.Context(), acct.Email); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("RequestCode", func(b *testing.B) {
		s := benchStore(b)
		b.ReportAllocs()
		for b.Loop() {
			if err := s.RequestCode(b.Context(), storetest.BenchRequest(benchAt)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ClaimAndFinish", func(b *testing.B) {
		s := benchStore(b)
		storetest.BenchRequested(b, s, b.N, benchAt)
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			claimAndFinish(b, s)
		}
	})
	b.Run("KeepDevMessage", func(b *testing.B) {
		s := benchStore(b)
		sealed := make([]byte, 6000) // a sealed code email, raw form included
		to := otpd.MustParseAddress("ada@example.com")
		var n int
		b.ReportAllocs()
		for b.Loop() {
			n++
			m := otpd.DevMessage{MessageID: fmt.Sprintf("<m%d@otpd.test>", n), To: to, At: benchAt, Sealed: sealed}
			if err := s.KeepDevMessage(b.Context(), m, mail.DefaultDevMailboxSize); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("LatestChallenge", func(b *testing.B) {
		s := benchStore(b)
		req := storetest.BenchRequested(b, s, 1, benchAt)[0]
		b.ReportAllocs()
		for b.Loop() {
			if _, err := s.LatestChallenge(b.Context(), req.Challenge.FlowID); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("VerifyCode", func(b *testing.B) {
		s := benchStore(b)
		reqs := storetest.BenchRequested(b, s, b.N, benchAt)
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			res, err := s.VerifyCode(b.Context(), storetest.BenchVerify(reqs[i].Challenge, benchAt.Add(time.Minute)))
			if err != nil || res.Outcome != otpd.OutcomeVerified {
				b.Fatalf("VerifyCode: %s, %v", res.Outcome, err)
			}
		}
	})
	b.Run("SessionByTokenHash", func(b *testing.B) {
		s := benchStore(b)
		sess := signedUp(b, s).Session
		b.ReportAllocs()
		for b.Loop() {
			if _, err := s.SessionByTokenHash(b.Context(), sess.TokenHash); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func claimAndFinish(b *testing.B, s *sqlite.Store) {
	msgs, err := s.ClaimMessages(b.Context(), benchAt, time.Minute, 1)
	if err != nil || len(msgs) != 1 {
		b.Fatalf("ClaimMessages: %d, %v", len(msgs), err)
	}
	if err := s.FinishMessage(b.Context(), msgs[0].ID, otpd.MessageSent, benchAt, ""); err != nil {
		b.Fatal(err)
	}
}
