package mail

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// sentLog records a round's sent messages as they go out, in as few
// writes as the store's pace allows: the first send to end records its
// message at once, and those that end while that write runs are recorded
// together by the next. On a store that takes writers one at a time
// (SQLite) one write per message would queue behind the API's writes and
// hold each send's slot meanwhile; waiting for the whole round instead
// would leave a message sent early unrecorded while a slow send ran on,
// past its lease, and another worker would send it again.
type sentLog struct {
	w       *Worker
	mu      sync.Mutex
	pending []string
	busy    bool // a call of add is writing; it takes pending next
}

// add records id as sent. When another call is writing, add leaves id to
// it and returns at once; otherwise it writes until nothing is pending,
// and returns the failures of its writes. A message whose record failed
// is sent again after its lease (at-least-once, same Message-ID).
func (l *sentLog) add(ctx context.Context, id string) error {
	l.mu.Lock()
	l.pending = append(l.pending, id)
	if l.busy {
		l.mu.Unlock()
		return nil
	}
	l.busy = true
	var errs []error
	for len(l.pending) > 0 {
		ids := l.pending
		l.pending = nil
		l.mu.Unlock()
		errs = append(errs, l.w.finishSent(ctx, ids))
		l.mu.Lock()
	}
	l.busy = false
	l.mu.Unlock()
	return errors.Join(errs...)
}

// finishSent ends ids as sent in one write.
func (w *Worker) finishSent(ctx context.Context, ids []string) error {
	n, err := w.Store.FinishSent(ctx, ids, w.Clock.Now())
	if err != nil {
		return fmt.Errorf("mail: finish %d sent messages: %w", len(ids), err)
	}
	if n < len(ids) {
		w.logger().Warn("mail: some sent messages had already been finished", "sent", len(ids), "finished", n)
	}
	return nil
}
