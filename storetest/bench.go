package storetest

import (
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/otpd/otpd"
)

// What the stores' benchmarks share: one sign-up's requests, as the engine
// makes them, at realistic limits.

var benchSeq atomic.Int64

const benchUA = "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"

// BenchRequest is the first code of a new flow for a new address, at
// realistic limits and with a payload the size of a sealed message.
func BenchRequest(at time.Time) otpd.CodeRequest {
	n := benchSeq.Add(1)
	addr := otpd.MustParseAddress(fmt.Sprintf("bench%d@example.com", n))
	id, flow := fmt.Sprintf("bench-challenge-%d", n), fmt.Sprintf("bench-flow-%d", n)
	payload := make([]byte, 600)
	rand.Read(payload)
	return otpd.CodeRequest{
		Challenge: otpd.Challenge{
			ID: id, FlowID: flow, Purpose: otpd.PurposeSignUp, Email: addr, CodeMAC: benchMAC(id),
			CreatedAt: at, ExpiresAt: at.Add(10 * time.Minute), MaxAttempts: 5, Status: otpd.StatusPending,
			IP: "192.0.2.1", UserAgent: benchUA,
		},
		Message: otpd.OutboxMessage{
			ID: fmt.Sprintf("bench-message-%d", n), ChallengeID: id, MessageID: "<" + id + "@otpd.test>",
			Kind: otpd.MessageCode, To: addr, Payload: payload, CreatedAt: at,
			NotAfter: at.Add(10 * time.Minute), NextAttempt: at, State: otpd.MessageQueued,
		},
		Event: otpd.Event{ID: fmt.Sprintf("bench-event-%d", n), At: at, Email: addr, FlowID: flow,
			IP: "192.0.2.1", UserAgent: benchUA, Purpose: otpd.PurposeSignUp},
		Limits: otpd.SendLimits{PerHour: 5, PerDay: 10, ResendCooldown: 30 * time.Second},
	}
}

func benchMAC(challengeID string) []byte {
	sum := sha256.Sum256([]byte(challengeID))
	return sum[:]
}

// BenchVerify submits the right code for ch, signing its address up.
func BenchVerify(ch otpd.Challenge, at time.Time) otpd.VerifyRequest {
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

// BenchRequested queues n first codes in s at at and returns their
// requests.
func BenchRequested(b *testing.B, s otpd.Store, n int, at time.Time) []otpd.CodeRequest {
	b.Helper()
	reqs := make([]otpd.CodeRequest, n)
	for i := range reqs {
		reqs[i] = BenchRequest(at)
		if err := s.RequestCode(b.Context(), reqs[i]); err != nil {
			b.Fatal(err)
		}
	}
	return reqs
}

// MessageIDs are the IDs of msgs, for FinishSent.
func MessageIDs(msgs []otpd.OutboxMessage) []string {
	ids := make([]string, len(msgs))
	for i, m := range msgs {
		ids[i] = m.ID
	}
	return ids
}
