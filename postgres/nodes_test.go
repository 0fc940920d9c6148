package postgres_test

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/postgres"
	"github.com/otpd/otpd/postgres/pgtest"
)

var t0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

// Workers on several nodes (each its own Store, so its own connection
// pool) claiming from one outbox at once never claim a message twice in
// one lease, and between them claim every due message. storetest runs
// against one store; this is the case that needs SKIP LOCKED.
func TestClaimAcrossNodes(t *testing.T) {
	_, dsn := pgtest.Schema(t)
	nodes := []*postgres.Store{open(t, dsn), open(t, dsn), open(t, dsn)}
	const messages = 120
	for i := range messages {
		req := codeRequest(fmt.Sprintf("worker-%d@example.com", i), t0)
		if err := nodes[i%len(nodes)].RequestCode(t.Context(), req); err != nil {
			t.Fatalf("RequestCode: %v", err)
		}
	}

	const workersPerNode, batch = 6, 7
	var (
		mu      sync.Mutex
		claimed = make(map[string]int)
		wg      sync.WaitGroup
	)
	for _, s := range nodes {
		for range workersPerNode {
			wg.Go(func() {
				for {
					msgs, err := s.ClaimMessages(t.Context(), t0.Add(time.Minute), time.Hour, batch)
					if err != nil {
						t.Errorf("ClaimMessages: %v", err)
						return
					}
					if len(msgs) == 0 {
						return
					}
					mu.Lock()
					for _, m := range msgs {
						claimed[m.ID]++
					}
					mu.Unlock()
				}
			})
		}
	}
	wg.Wait()
	if len(claimed) != messages {
		t.Errorf("%d distinct messages claimed, want %d", len(claimed), messages)
	}
	for id, n := range claimed {
		if n != 1 {
			t.Errorf("message %s claimed %d times in one lease, want once", id, n)
		}
	}
}

// Requests for one address racing on several nodes never send more codes
// than its cap: the address's advisory lock orders them across pools.
func TestRequestCapAcrossNodes(t *testing.T) {
	_, dsn := pgtest.Schema(t)
	nodes := []*postgres.Store{open(t, dsn), open(t, dsn), open(t, dsn)}
	const perNode, perHour = 12, 4
	var sent atomic.Int64
	var wg sync.WaitGroup
	start := make(chan struct{})
	for _, s := range nodes {
		for range perNode {
			req := codeRequest("Xena@example.com", t0)
			req.Limits = otpd.SendLimits{PerHour: perHour}
			wg.Go(func() {
				<-start
				err := s.RequestCode(t.Context(), req)
				var le *otpd.LimitError
				switch {
				case err == nil:
					sent.Add(1)
				case errors.As(err, &le) && le.Limit == otpd.LimitPerHour:
				default:
					t.Errorf("RequestCode: %v, want nil or a per-hour LimitError", err)
				}
			})
		}
	}
	close(start)
	wg.Wait()
	if n := sent.Load(); n != perHour {
		t.Errorf("%d of %d racing requests sent a code, want %d", n, len(nodes)*perNode, perHour)
	}
}

var lastID atomic.Int64

// codeRequest is a first code for a new sign-up flow of email, due at at.
func codeRequest(email string, at time.Time) otpd.CodeRequest {
	addr := otpd.MustParseAddress(email)
	n := lastID.Add(1)
	id, flow := fmt.Sprintf("challenge-%d", n), fmt.Sprintf("flow-%d", n)
	return otpd.CodeRequest{
		Challenge: otpd.Challenge{
			ID: id, FlowID: flow, Purpose: otpd.PurposeSignUp, Email: addr,
			CodeMAC: []byte("mac"), CreatedAt: at, ExpiresAt: at.Add(10 * time.Minute), MaxAttempts: 5,
			Status: otpd.StatusPending, IP: "192.0.2.1", UserAgent: "nodes test",
		},
		Message: otpd.OutboxMessage{
			ID: fmt.Sprintf("message-%d", n), ChallengeID: id, MessageID: "<" + id + "@otpd.test>",
			Kind: otpd.MessageCode, To: addr, Payload: []byte("sealed"), CreatedAt: at,
			NotAfter: at.Add(10 * time.Minute), NextAttempt: at, State: otpd.MessageQueued,
		},
		Event: otpd.Event{
			ID: fmt.Sprintf("event-%d", n), At: at, Email: addr, FlowID: flow,
			IP: "192.0.2.1", UserAgent: "nodes test", Purpose: otpd.PurposeSignIn,
		},
	}
}
