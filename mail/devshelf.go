package mail

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/otpd/otpd"
)

// memoryShelf is a DevMailbox's store when it has none: a ring of the
// newest messages in this process's memory. It is safe for concurrent
// use.
type memoryShelf struct {
	mu sync.Mutex
	// msgs is a ring of at most keep messages; next is where the next one
	// goes, so the newest is just before it.
	msgs []otpd.DevMessage
	next int
}

var _ otpd.DevMailStore = (*memoryShelf)(nil)

func (s *memoryShelf) KeepDevMessage(_ context.Context, m otpd.DevMessage, keep int) error {
	if keep < 1 {
		return fmt.Errorf("keep must be at least 1, got %d", keep)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.msgs) < keep {
		s.msgs = append(s.msgs, m)
		s.next = len(s.msgs) % keep
		return nil
	}
	s.msgs[s.next] = m
	s.next = (s.next + 1) % keep
	return nil
}

func (s *memoryShelf) DevMessages(_ context.Context, to otpd.Address, limit int) ([]otpd.DevMessage, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	// Oldest first: the ring from next to its end, then from its start.
	ordered := append(slices.Clone(s.msgs[s.next:]), s.msgs[:s.next]...)
	var out []otpd.DevMessage
	for _, m := range slices.Backward(ordered) {
		if limit > 0 && len(out) == limit {
			break
		}
		if to.IsZero() || m.To.Key() == to.Key() {
			out = append(out, m)
		}
	}
	return out, nil
}

func (s *memoryShelf) DevMessage(ctx context.Context, messageID string) (otpd.DevMessage, error) {
	all, _ := s.DevMessages(ctx, otpd.Address{}, 0)
	for _, m := range all {
		if m.MessageID == messageID {
			return m, nil
		}
	}
	return otpd.DevMessage{}, otpd.ErrNotFound
}
