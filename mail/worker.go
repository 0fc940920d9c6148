package mail

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/otpd/otpd"
)

// Defaults for the Worker's zero-valued fields, with the reason for each.
const (
	// A lease must outlast one send; when it runs out, another worker may
	// send the message again (at-least-once), so it should not be short.
	DefaultLease = time.Minute
	// A batch as large as a burst of sign-ins, small enough that one
	// worker does not hoard messages other nodes could send.
	DefaultBatch = 20
	// Poll bounds the delay of a message queued on another node; on this
	// node Notify wakes the worker at once.
	DefaultPoll = time.Second
	// A code lives 10 minutes by default; a retry much later than that is
	// pointless, and 15 minutes still spaces out retries in a long outage.
	DefaultMaxBackoff = 15 * time.Minute
	// BaseBackoff is the ceiling of the first retry's delay; it doubles
	// with each attempt. A person is waiting for the code, so start small.
	DefaultBaseBackoff = 5 * time.Second
	// Grace is how long in-flight sends may run on after Run is told to
	// stop, so that a shutdown does not cut a delivery in half.
	DefaultGrace = 10 * time.Second
	// Concurrency bounds parallel sends within a batch. The smtp Mailer
	// bounds its own connections, so this bounds the CPU that composing
	// and DKIM signing take at once: at 20, a burst of signatures kept
	// the API's requests waiting (otpd-load at 200 sign-ins/s: request
	// p99 29 ms, against 18 ms at 4), with no gain in throughput that
	// stood out from run-to-run noise.
	DefaultConcurrency = 4
)

// minRetry keeps a retry with full jitter from landing at once, which
// would make Run spin against a mailer that is down.
const minRetry = time.Second

// maxReason bounds the failure text kept with a message.
const maxReason = 500

// Worker delivers the outbox: it claims due messages under a lease, opens
// their sealed payloads, composes and sends them, and records the outcome.
// Delivery is at-least-once (invariant 4): a worker that dies mid-send
// leaves its messages to be claimed again when the lease ends, and they go
// out with the same Message-ID, so receiving systems can tell a repeat.
//
// Set the fields before the first call and do not change them after. Run
// and RunOnce may be called from one goroutine at a time per Worker;
// Notify is safe for concurrent use. Several Workers, on one node or many,
// may share a Store.
type Worker struct {
	Store    otpd.OutboxStore
	Mailer   otpd.Mailer
	Composer *Composer
	// Open unseals a message's Payload into the JSON of otpd.MessageData.
	Open  func(sealed []byte) ([]byte, error)
	Clock otpd.Clock
	// Log receives delivery outcomes; never codes or payloads. Nil
	// discards them.
	Log *slog.Logger

	Lease       time.Duration // default DefaultLease
	Batch       int           // default DefaultBatch
	Poll        time.Duration // default DefaultPoll
	MaxBackoff  time.Duration // default DefaultMaxBackoff
	BaseBackoff time.Duration // default DefaultBaseBackoff
	Grace       time.Duration // default DefaultGrace
	Concurrency int           // default DefaultConcurrency
	// Jitter returns a duration in [0, d]. Tests make it deterministic;
	// nil draws uniformly with math/rand/v2 ("full jitter"), which keeps
	// many messages that failed together from retrying together.
	Jitter func(d time.Duration) time.Duration
	// Observer hears each delivery's result, for metrics; nil hears
	// none.
	Observer Observer

	wakeOnce sync.Once
	wake     chan struct{}
}

// Notify wakes a waiting Run at once, for a message just queued on this
// node. It never blocks; notifications that arrive while Run is busy merge
// into one further round.
func (w *Worker) Notify() {
	select {
	case w.wakeChan() <- struct{}{}:
	default:
	}
}

func (w *Worker) wakeChan() chan struct{} {
	w.wakeOnce.Do(func() { w.wake = make(chan struct{}, 1) })
	return w.wake
}

// Run delivers messages until ctx is done, then returns nil. It runs rounds
// back to back while there is work, and otherwise waits Poll or until
// Notify. When ctx is done it claims nothing more, and the sends already
// under way get Grace to finish and be recorded. It returns an error only
// when the Worker is not set up.
func (w *Worker) Run(ctx context.Context) error {
	if err := w.check(); err != nil {
		return err
	}
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		n, err := w.RunOnce(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			w.logger().Error("mail: delivery round failed", "err", err)
		}
		if n > 0 && err == nil {
			continue
		}
		timer.Reset(w.poll())
		select {
		case <-ctx.Done():
			return nil
		case <-w.wakeChan():
		case <-timer.C:
		}
	}
}

// RunOnce claims one batch of due messages and handles each: sent,
// retried later, or ended as failed or undeliverable. It returns how many
// messages it claimed, and an error when claiming fails or an outcome
// cannot be recorded (such a message is sent again after its lease).
// Delivery failures are recorded, not returned.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	if err := w.check(); err != nil {
		return 0, err
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	msgs, err := w.Store.ClaimMessages(ctx, w.Clock.Now(), w.lease(), w.batch())
	if err != nil {
		return 0, fmt.Errorf("mail: claim messages: %w", err)
	}
	if len(msgs) == 0 {
		return 0, nil
	}

	// Sends already started outlive ctx by Grace, and so does recording
	// their outcome: a message sent but not marked sent would go out twice.
	work, cancel := afterGrace(ctx, w.grace())
	defer cancel()

	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
		sent = sentLog{w: w}
		sem  = make(chan struct{}, w.concurrency())
	)
	for _, m := range msgs {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			// Stopping: hand the message back rather than start it,
			// so another worker need not wait out the lease.
			if err := w.release(work, m); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
			continue
		}
		wg.Go(func() {
			defer func() { <-sem }()
			ok, err := w.deliver(work, m)
			if ok {
				err = sent.add(work, m.ID)
			}
			if err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return len(msgs), errors.Join(errs...)
}

// deliver handles one claimed message and reports whether it was sent,
// which the caller records (sentLog); every other outcome it records
// itself. The error it returns is a failure to record an outcome;
// delivery failures are outcomes.
func (w *Worker) deliver(ctx context.Context, m otpd.OutboxMessage) (sent bool, err error) {
	log := w.logger().With("message", m.ID, "kind", string(m.Kind), "attempts", m.Attempts)
	if !m.NotAfter.IsZero() && !w.Clock.Now().Before(m.NotAfter) {
		log.Warn("mail: message expired before delivery")
		w.observe(ResultUndeliverable)
		return false, w.finish(ctx, m, otpd.MessageUndeliverable, "code expired before delivery")
	}
	email, reason, err := w.compose(m)
	if err != nil {
		// Retrying cannot open a payload sealed under another secret or
		// mend a template, so this is the end of the message.
		log.Error("mail: cannot compose message", "err", err)
		w.observe(ResultFailed)
		return false, w.finish(ctx, m, otpd.MessageFailed, reason)
	}

	sendCtx, cancel := context.WithTimeout(ctx, w.lease())
	err = w.Mailer.Send(sendCtx, email)
	cancel()
	if err == nil {
		log.Info("mail: message sent")
		w.observe(ResultSent)
		return true, nil
	}
	reason = truncate(err.Error(), maxReason)
	if perm := (*otpd.PermanentError)(nil); errors.As(err, &perm) {
		log.Warn("mail: message refused for good", "err", reason)
		w.observe(ResultFailed)
		return false, w.finish(ctx, m, otpd.MessageFailed, reason)
	}
	next := w.Clock.Now().Add(w.backoff(m.Attempts))
	if err := w.Store.RetryMessage(ctx, m.ID, next, reason); err != nil {
		return false, fmt.Errorf("mail: retry %s: %w", m.ID, err)
	}
	// Logged once recorded, so that the line means the retry is due.
	log.Warn("mail: send failed; will retry", "err", reason, "next", next)
	w.observe(ResultRetry)
	return false, nil
}

// compose opens and composes m. On failure it also returns the reason to
// record, which, unlike some decoder errors, quotes nothing of the payload.
func (w *Worker) compose(m otpd.OutboxMessage) (otpd.Email, string, error) {
	plain, err := w.Open(m.Payload)
	if err != nil {
		return otpd.Email{}, "payload cannot be opened", fmt.Errorf("mail: open %s: %w", m.ID, err)
	}
	var d otpd.MessageData
	if err := json.Unmarshal(plain, &d); err != nil {
		// The decoder's error can quote bytes of the payload, which
		// holds the code; keep only its type.
		return otpd.Email{}, "payload is not message data", fmt.Errorf("mail: decode %s: payload is not message data (%T)", m.ID, err)
	}
	email, err := w.Composer.Compose(m, d)
	if err != nil {
		return otpd.Email{}, truncate(err.Error(), maxReason), err
	}
	return email, "", nil
}

// finish ends a message's delivery. The record must stick, so it does not
// stop for a shutdown still within its grace.
func (w *Worker) finish(ctx context.Context, m otpd.OutboxMessage, state otpd.MessageState, reason string) error {
	if err := w.Store.FinishMessage(ctx, m.ID, state, w.Clock.Now(), reason); err != nil {
		return fmt.Errorf("mail: finish %s as %s: %w", m.ID, state, err)
	}
	return nil
}

// release puts back a message claimed but not started, due at once.
func (w *Worker) release(ctx context.Context, m otpd.OutboxMessage) error {
	if err := w.Store.RetryMessage(ctx, m.ID, w.Clock.Now(), "worker stopped before sending"); err != nil {
		return fmt.Errorf("mail: release %s: %w", m.ID, err)
	}
	return nil
}

// backoff is the delay before retrying a message that has been tried
// attempts times: a random share ("full jitter") of a ceiling that starts
// at BaseBackoff and doubles with each attempt, up to MaxBackoff. Stores
// that count a try only when it fails hand over one fewer; the curve then
// starts one step later, which is harmless.
func (w *Worker) backoff(attempts int) time.Duration {
	ceiling, limit := w.baseBackoff(), w.maxBackoff()
	for i := 1; i < attempts && ceiling < limit; i++ {
		ceiling *= 2
	}
	ceiling = min(ceiling, limit)
	jitter := w.Jitter
	if jitter == nil {
		jitter = func(d time.Duration) time.Duration { return rand.N(d + 1) }
	}
	return max(jitter(ceiling), minRetry)
}

// afterGrace returns a context that is not cancelled with parent but
// grace after it, so that work already started can end cleanly.
func afterGrace(parent context.Context, grace time.Duration) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(parent))
	stop := context.AfterFunc(parent, func() {
		t := time.AfterFunc(grace, cancel)
		context.AfterFunc(ctx, func() { t.Stop() })
	})
	return ctx, func() {
		stop()
		cancel()
	}
}

func (w *Worker) check() error {
	switch {
	case w.Store == nil:
		return errors.New("mail: worker has no Store")
	case w.Mailer == nil:
		return errors.New("mail: worker has no Mailer")
	case w.Composer == nil:
		return errors.New("mail: worker has no Composer")
	case w.Open == nil:
		return errors.New("mail: worker has no Open")
	case w.Clock == nil:
		return errors.New("mail: worker has no Clock")
	}
	return nil
}

func (w *Worker) logger() *slog.Logger {
	if w.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return w.Log
}

func (w *Worker) lease() time.Duration       { return orDefault(w.Lease, DefaultLease) }
func (w *Worker) batch() int                 { return orDefault(w.Batch, DefaultBatch) }
func (w *Worker) poll() time.Duration        { return orDefault(w.Poll, DefaultPoll) }
func (w *Worker) maxBackoff() time.Duration  { return orDefault(w.MaxBackoff, DefaultMaxBackoff) }
func (w *Worker) baseBackoff() time.Duration { return orDefault(w.BaseBackoff, DefaultBaseBackoff) }
func (w *Worker) grace() time.Duration       { return orDefault(w.Grace, DefaultGrace) }
func (w *Worker) concurrency() int           { return orDefault(w.Concurrency, DefaultConcurrency) }

func orDefault[T time.Duration | int](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}
