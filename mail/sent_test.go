package mail_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/otpd/otpd"
)

// slowMailer holds sends to one address until released; others go at once.
type slowMailer struct {
	slow    otpd.Address
	release chan struct{}
}

func (m *slowMailer) Send(ctx context.Context, e otpd.Email) error {
	if e.To == m.slow {
		select {
		case <-m.release:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// A message is recorded as sent when it has gone, not when the slowest
// send of its round ends: left unrecorded past its lease, it would be
// claimed and sent again.
func TestWorkerRecordsEachSendWithoutWaitingForTheRound(t *testing.T) {
	r := newRig(t)
	mailer := &slowMailer{slow: otpd.MustParseAddress("slow@example.com"), release: make(chan struct{})}
	r.worker.Mailer = mailer
	slow := r.queue(t, "slow", "slow@example.com")
	var fast []otpd.OutboxMessage
	for i := range 6 {
		fast = append(fast, r.queue(t, fmt.Sprintf("fast%d", i), fmt.Sprintf("fast%d@example.com", i)))
	}
	done := make(chan error, 1)
	go func() {
		_, err := r.worker.RunOnce(t.Context())
		done <- err
	}()

	deadline := time.Now().Add(10 * time.Second)
	for _, m := range fast {
		for r.store.finish(m.ID).state != otpd.MessageSent {
			if time.Now().After(deadline) {
				close(mailer.release)
				t.Fatalf("message %s not recorded as sent while another send of its round was still under way", m.ID)
			}
			time.Sleep(time.Millisecond)
		}
	}
	if got := r.store.finish(slow.ID).state; got != "" {
		t.Errorf("the held message is %q before its send ended; want still queued", got)
	}
	close(mailer.release)
	if err := <-done; err != nil {
		t.Fatalf("RunOnce: %v", err)
	}
	if got := r.store.finish(slow.ID).state; got != otpd.MessageSent {
		t.Errorf("the held message ended as %q, want sent", got)
	}
}

// However the sends of a round interleave, every sent message is recorded
// once, whether by its own write or by another's.
func TestWorkerRecordsEverySentMessage(t *testing.T) {
	r := newRig(t)
	r.worker.Batch, r.worker.Concurrency = 40, 8
	var ids []string
	for i := range 40 {
		ids = append(ids, r.queue(t, fmt.Sprintf("m%02d", i), fmt.Sprintf("user%d@example.com", i)).ID)
	}
	if n := r.runOnce(t); n != 40 {
		t.Fatalf("round handled %d, want 40", n)
	}
	for _, id := range ids {
		if got := r.store.finish(id).state; got != otpd.MessageSent {
			t.Errorf("message %s ended as %q, want sent", id, got)
		}
	}
	if n := r.runOnce(t); n != 0 {
		t.Errorf("a second round claimed %d messages; every one was recorded, so want 0", n)
	}
}
