package storetest

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/otpd/otpd"
)

// ObservedStore is a SQL store as the metrics read it: the outbox's depth
// and the durations of its operations.
type ObservedStore interface {
	otpd.Store
	Queued(ctx context.Context) (n int, oldest time.Time, err error)
	ObserveTransactions(f func(op string, took time.Duration))
}

// Observed checks what the metrics read from s, an empty store: the queue
// counts what is queued and dates its oldest; delivered messages leave
// it; each operation is heard by its name from ops, and nothing else.
func Observed(t *testing.T, s ObservedStore, ops []string) {
	ctx := t.Context()
	if n, oldest, err := s.Queued(ctx); n != 0 || !oldest.IsZero() || err != nil {
		t.Errorf("Queued of an empty outbox = %d, %v, %v; want 0 and no time", n, oldest, err)
	}
	var mu sync.Mutex
	var heard []string
	s.ObserveTransactions(func(op string, took time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		if took < 0 {
			t.Errorf("%s took %s", op, took)
		}
		heard = append(heard, op)
	})
	first := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	for _, at := range []time.Time{first.Add(time.Minute), first, first.Add(2 * time.Minute)} {
		if err := s.RequestCode(ctx, BenchRequest(at)); err != nil {
			t.Fatal(err)
		}
	}
	if n, oldest, err := s.Queued(ctx); n != 3 || !oldest.Equal(first) || err != nil {
		t.Errorf("Queued = %d, %v, %v; want 3 since %v", n, oldest, err, first)
	}
	msgs, err := s.ClaimMessages(ctx, first.Add(3*time.Minute), time.Minute, 2)
	if err != nil || len(msgs) != 2 {
		t.Fatalf("ClaimMessages = %d, %v; want 2", len(msgs), err)
	}
	if _, err := s.FinishSent(ctx, MessageIDs(msgs), first.Add(3*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if n, oldest, err := s.Queued(ctx); n != 1 || !oldest.Equal(first.Add(2*time.Minute)) || err != nil {
		t.Errorf("Queued after two were sent = %d, %v, %v; want 1 since %v", n, oldest, err, first.Add(2*time.Minute))
	}
	s.ObserveTransactions(nil)
	if err := s.RequestCode(ctx, BenchRequest(first)); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	want := []string{"request_code", "request_code", "request_code", "claim_messages", "finish_sent"}
	if !slices.Equal(heard, want) {
		t.Errorf("heard %q, want %q", heard, want)
	}
	for _, op := range heard {
		if !slices.Contains(ops, op) {
			t.Errorf("heard %q, which Ops does not list", op)
		}
	}
}
