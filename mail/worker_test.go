package mail_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/otpd/otpd"
)

func TestWorkerSendsOnceWithMessageID(t *testing.T) {
	r := newRig(t)
	m := r.queue(t, "m1", "Ada@Example.com")

	if n := r.runOnce(t); n != 1 {
		t.Fatalf("first round handled %d messages, want 1", n)
	}
	if n := r.runOnce(t); n != 0 {
		t.Fatalf("second round handled %d messages, want 0", n)
	}
	sent := r.mailer.Sent()
	if len(sent) != 1 {
		t.Fatalf("sent %d emails, want 1", len(sent))
	}
	if sent[0].MessageID != m.MessageID || sent[0].To != m.To {
		t.Errorf("sent Message-ID %q to %q, want %q to %q", sent[0].MessageID, sent[0].To, m.MessageID, m.To)
	}
	if !strings.Contains(sent[0].Text, "318 604") {
		t.Errorf("text does not carry the grouped code:\n%s", sent[0].Text)
	}
	if got := r.store.finish("m1"); got.state != otpd.MessageSent {
		t.Errorf("finished as %q, want sent", got.state)
	}
	if strings.Contains(r.logs.String(), testCode) {
		t.Errorf("the log holds the code:\n%s", r.logs)
	}
}

func TestWorkerRetriesWithGrowingBackoff(t *testing.T) {
	r := newRig(t)
	r.worker.BaseBackoff = 5 * time.Second
	r.worker.MaxBackoff = 15 * time.Second
	r.mailer.errs = []error{errTemporary, errTemporary, errTemporary, nil}
	first := r.queue(t, "m1", "ada@example.com")

	// Claims count attempts, so the waits are 5s, 10s, then 15s (capped,
	// not 20s).
	for i, wait := range []time.Duration{5 * time.Second, 10 * time.Second, 15 * time.Second} {
		start := r.clock.Now()
		if n := r.runOnce(t); n != 1 {
			t.Fatalf("try %d handled %d messages, want 1", i+1, n)
		}
		retry := r.store.retry("m1")
		if f := r.store.finish("m1"); f.state != "" || retry.reason != errTemporary.Error() {
			t.Fatalf("after try %d: finished as %q, last error %q", i+1, f.state, retry.reason)
		}
		if got := retry.next.Sub(start); got != wait {
			t.Fatalf("after try %d: next attempt in %s, want %s", i+1, got, wait)
		}
		r.clock.Advance(wait - time.Nanosecond)
		if n := r.runOnce(t); n != 0 {
			t.Fatalf("retry %d came %s early", i+1, time.Nanosecond)
		}
		r.clock.Advance(time.Nanosecond)
	}
	if n := r.runOnce(t); n != 1 {
		t.Fatalf("last try handled %d messages, want 1", n)
	}
	sent := r.mailer.Sent()
	if len(sent) != 1 || sent[0].MessageID != first.MessageID {
		t.Fatalf("sent %v, want one email with Message-ID %s", sent, first.MessageID)
	}
	if f := r.store.finish("m1"); f.state != otpd.MessageSent {
		t.Errorf("finished as %q, want sent", f.state)
	}
}

func TestWorkerDefaultJitterStaysUnderCeiling(t *testing.T) {
	r := newRig(t)
	r.worker.Jitter = nil
	r.worker.BaseBackoff = time.Minute
	r.mailer.errs = []error{errTemporary}
	r.queue(t, "m1", "ada@example.com")
	start := r.clock.Now()
	r.runOnce(t)
	if wait := r.store.retry("m1").next.Sub(start); wait < time.Second || wait > time.Minute {
		t.Errorf("retry in %s, want between 1s and 1m", wait)
	}
}

func TestWorkerPermanentFailureStops(t *testing.T) {
	r := newRig(t)
	reason := errors.New("550 5.1.1 no such user")
	r.mailer.errs = []error{fmt.Errorf("smtp: rcpt: %w", &otpd.PermanentError{Err: reason})}
	r.queue(t, "m1", "nobody@example.com")

	r.runOnce(t)
	if f := r.store.finish("m1"); f.state != otpd.MessageFailed || !strings.Contains(f.reason, "550 5.1.1") {
		t.Fatalf("finished as %q with %q; want failed with the reply", f.state, f.reason)
	}
	r.clock.Advance(time.Hour)
	if n := r.runOnce(t); n != 0 || len(r.mailer.Sent()) != 0 {
		t.Errorf("a failed message was tried again")
	}
}

func TestWorkerExpiredMessageIsNotSent(t *testing.T) {
	r := newRig(t)
	r.queue(t, "m1", "ada@example.com")
	r.clock.Advance(10 * time.Minute) // exactly NotAfter: too late

	r.runOnce(t)
	if len(r.mailer.Sent()) != 0 {
		t.Fatal("an expired code was sent")
	}
	if f := r.store.finish("m1"); f.state != otpd.MessageUndeliverable || f.reason != "code expired before delivery" {
		t.Errorf("finished as %q with %q; want undeliverable", f.state, f.reason)
	}
}

func TestWorkerUnopenablePayloadFails(t *testing.T) {
	r := newRig(t)
	r.queue(t, "m1", "ada@example.com", func(m *otpd.OutboxMessage) {
		m.Payload = append([]byte(nil), m.Payload...)
		m.Payload[len(m.Payload)-1] ^= 1
	})

	r.runOnce(t)
	f := r.store.finish("m1")
	if f.state != otpd.MessageFailed || f.reason != "payload cannot be opened" || len(r.mailer.Sent()) != 0 {
		t.Errorf("finished as %q with %q, sent %d; want failed, unsent", f.state, f.reason, len(r.mailer.Sent()))
	}
}

func TestWorkerCrashIsRecoveredAfterLease(t *testing.T) {
	r := newRig(t)
	r.worker.Lease = time.Minute
	m := r.queue(t, "m1", "ada@example.com")

	// Another worker claims the message and dies before finishing it.
	claimed, err := r.store.ClaimMessages(t.Context(), r.clock.Now(), time.Minute, 10)
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claim: %v, %d messages", err, len(claimed))
	}
	if n := r.runOnce(t); n != 0 {
		t.Fatalf("a leased message was claimed again %d times", n)
	}
	r.clock.Advance(time.Minute)
	if n := r.runOnce(t); n != 1 {
		t.Fatalf("after the lease, handled %d messages, want 1", n)
	}
	if sent := r.mailer.Sent(); len(sent) != 1 || sent[0].MessageID != m.MessageID {
		t.Fatalf("sent %v, want the message with its Message-ID", sent)
	}
}

func TestWorkerSendsBatchConcurrently(t *testing.T) {
	r := newRig(t)
	r.worker.Batch = 5
	for i := range 12 {
		r.queue(t, fmt.Sprintf("m%02d", i), fmt.Sprintf("user%d@example.com", i))
	}
	total := 0
	for n := r.runOnce(t); n > 0; n = r.runOnce(t) {
		if n > 5 {
			t.Fatalf("a round handled %d messages, more than the batch", n)
		}
		total += n
	}
	if total != 12 || len(r.mailer.Sent()) != 12 {
		t.Fatalf("handled %d, sent %d; want 12", total, len(r.mailer.Sent()))
	}
}

func TestWorkerRunStopsOnCancel(t *testing.T) {
	r := newRig(t)
	r.worker.Poll = 5 * time.Millisecond
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- r.worker.Run(ctx) }()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run returned %v, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not stop")
	}
}

func TestWorkerRunWakesOnNotify(t *testing.T) {
	r := newRig(t)
	r.worker.Poll = time.Hour // only Notify can wake it in time
	r.mailer.started = make(chan struct{}, 1)
	r.store.claimed = make(chan int, 10)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- r.worker.Run(ctx) }()
	defer func() {
		cancel()
		<-done
	}()

	<-r.store.claimed // the first round found nothing; Run now waits
	r.queue(t, "m1", "ada@example.com")
	r.worker.Notify()
	select {
	case <-r.mailer.started:
	case <-time.After(5 * time.Second):
		t.Fatal("Notify did not wake Run")
	}
}

func TestWorkerRunFinishesInFlightSendOnShutdown(t *testing.T) {
	r := newRig(t)
	r.worker.Concurrency = 1
	r.mailer.block = make(chan struct{})
	r.mailer.started = make(chan struct{}, 1)
	r.queue(t, "m1", "ada@example.com")
	r.queue(t, "m2", "bob@example.com")
	r.clock.Advance(time.Second) // m1 and m2 both due; m1 claimed first
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- r.worker.Run(ctx) }()

	<-r.mailer.started // one send is in flight, the other waits its turn
	cancel()
	close(r.mailer.block)
	if err := <-done; err != nil {
		t.Fatalf("Run returned %v", err)
	}
	sent := r.mailer.Sent()
	if len(sent) != 1 {
		t.Fatalf("sent %d emails during shutdown, want the one in flight", len(sent))
	}
	inFlight, waiting := "m1", "m2"
	if sent[0].MessageID != "<ch-m1@login.example.com>" {
		inFlight, waiting = waiting, inFlight
	}
	if f := r.store.finish(inFlight); f.state != otpd.MessageSent {
		t.Errorf("the in-flight message finished as %q, want sent", f.state)
	}
	// The one never started is handed back, due at once, not left to
	// wait out its lease.
	if f, retry := r.store.finish(waiting), r.store.retry(waiting); f.state != "" || !retry.next.Equal(r.clock.Now()) {
		t.Errorf("the unstarted message finished as %q, due %s; want queued, due now", f.state, retry.next)
	}
	if n := r.runOnce(t); n != 1 || len(r.mailer.Sent()) != 2 {
		t.Errorf("after shutdown, a new round handled %d and sent %d in all; want 1 and 2", n, len(r.mailer.Sent()))
	}
}

func TestWorkerRefusesMissingParts(t *testing.T) {
	r := newRig(t)
	r.worker.Open = nil
	if _, err := r.worker.RunOnce(t.Context()); err == nil || !strings.Contains(err.Error(), "Open") {
		t.Errorf("RunOnce without Open: %v", err)
	}
	if err := r.worker.Run(t.Context()); err == nil {
		t.Error("Run without Open returned nil")
	}
}
