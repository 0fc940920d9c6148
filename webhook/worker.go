package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/otpd/otpd"
)

// Defaults for the Worker's zero-valued fields, with the reason for each.
const (
	// Timeout bounds one POST: a receiver should answer at once and do
	// its work later; one that hangs is retried.
	DefaultTimeout = 10 * time.Second
	// A lease must outlast a POST and its recording, or another worker
	// would send the webhook again meanwhile.
	DefaultLease = time.Minute
	// Poll bounds the delay of a webhook: the store queues them with
	// events on any node, so the worker looks for them.
	DefaultPoll  = time.Second
	DefaultBatch = 20
	// BaseBackoff is the first retry's ceiling, doubled for each try up
	// to MaxBackoff. With MaxAttempts tries, a webhook is retried for 10
	// to 20 hours: a receiver down overnight still gets it.
	DefaultBaseBackoff = 5 * time.Second
	DefaultMaxBackoff  = time.Hour
	DefaultMaxAttempts = 30
	// Concurrency bounds the POSTs in flight, so that one slow endpoint
	// holds a few of them and not the whole batch's sockets.
	DefaultConcurrency = 4
)

// maxReason bounds the failure text kept with a webhook.
const maxReason = 300

// Endpoint is where a subscription's webhooks go, and the key that signs
// them.
type Endpoint struct {
	ID  string
	URL string
	Key []byte
}

// Worker delivers the queued webhooks: it claims due ones under a lease,
// signs and POSTs each to its endpoint, and records the outcome. A 2xx
// answer delivers; a 4xx other than 408 and 429 fails the webhook for
// good (the receiver refuses it, and will again); anything else, a
// timeout or a refused connection, is retried with backoff up to
// MaxAttempts, after which the webhook fails. Delivery is at least once:
// a worker that dies mid-POST leaves the webhook to be claimed again when
// its lease ends, and it goes out with the same webhook-id.
//
// Set the fields before Run and do not change them after. Several
// Workers, on one node or many, may share a store.
type Worker struct {
	Store     otpd.WebhookStore
	Endpoints []Endpoint
	Clock     otpd.Clock
	// Client sends the POSTs; nil is a client that follows no redirect
	// (a redirect is a failure to retry: the endpoint is misconfigured).
	Client *http.Client
	// Log hears every outcome, never a body (which may hold an address).
	Log *slog.Logger

	Timeout     time.Duration
	Lease       time.Duration
	Poll        time.Duration
	Batch       int
	BaseBackoff time.Duration
	MaxBackoff  time.Duration
	MaxAttempts int
	Concurrency int
	// Jitter returns a duration in [0, d]; nil draws it at random.
	Jitter func(d time.Duration) time.Duration
}

// Run delivers webhooks until ctx is done, then returns nil once the
// POSTs under way have ended (each within Timeout).
func (w *Worker) Run(ctx context.Context) error {
	if w.Store == nil || w.Clock == nil {
		return errors.New("webhook: worker needs a Store and a Clock")
	}
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		n, err := w.RunOnce(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			w.logger().Error("webhook: delivery round failed", "err", err)
		}
		if n > 0 && err == nil {
			continue
		}
		timer.Reset(orDefault(w.Poll, DefaultPoll))
		select {
		case <-ctx.Done():
			return nil
		case <-timer.C:
		}
	}
}

// RunOnce claims one batch of due webhooks and delivers each, and
// returns how many it claimed. Its error is a failure to claim or to
// record an outcome (such a webhook is tried again after its lease);
// delivery failures are outcomes, recorded.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	hooks, err := w.Store.ClaimWebhooks(ctx, w.Clock.Now(), orDefault(w.Lease, DefaultLease), orDefault(w.Batch, DefaultBatch))
	if err != nil {
		return 0, fmt.Errorf("webhook: claim: %w", err)
	}
	// A POST started is finished and recorded even when ctx ends: one
	// delivered but not marked so would go out again.
	work := context.WithoutCancel(ctx)
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
		sem  = make(chan struct{}, orDefault(w.Concurrency, DefaultConcurrency))
	)
	for _, h := range hooks {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			if err := w.deliver(work, h); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return len(hooks), errors.Join(errs...)
}

// deliver POSTs one claimed webhook and records what came of it.
func (w *Worker) deliver(ctx context.Context, h otpd.WebhookDelivery) error {
	log := w.logger().With("webhook", h.ID, "type", string(h.Type), "endpoint", h.Endpoint, "attempts", h.Attempts)
	ep, ok := w.endpoint(h.Endpoint)
	if !ok {
		// Another node may know it (a configuration being rolled out),
		// so this is a failure to retry, not the end.
		return w.retry(ctx, log, h, "endpoint "+h.Endpoint+" is not configured on this node")
	}
	status, err := w.post(ctx, ep, h)
	switch {
	case err == nil && status/100 == 2:
		log.Info("webhook: delivered", "status", status)
		return w.finish(ctx, h, otpd.WebhookDelivered, "")
	case err == nil && status/100 == 4 && status != http.StatusRequestTimeout && status != http.StatusTooManyRequests:
		reason := "refused with status " + strconv.Itoa(status)
		log.Warn("webhook: refused for good", "status", status)
		return w.finish(ctx, h, otpd.WebhookFailed, reason)
	case err == nil:
		return w.retry(ctx, log, h, "answered with status "+strconv.Itoa(status))
	default:
		return w.retry(ctx, log, h, err.Error())
	}
}

// post sends h to ep, signed at the attempt's time, and returns the
// answer's status.
func (w *Worker) post(ctx context.Context, ep Endpoint, h otpd.WebhookDelivery) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, orDefault(w.Timeout, DefaultTimeout))
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep.URL, bytes.NewReader(h.Body))
	if err != nil {
		return 0, err
	}
	now := w.Clock.Now()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "otpd-webhooks")
	req.Header.Set(HeaderID, h.ID)
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(now.Unix(), 10))
	req.Header.Set(HeaderSignature, Sign(ep.Key, h.ID, now, h.Body))
	resp, err := w.client().Do(req)
	if err != nil {
		// The transport's error names the URL, whose query may hold
		// the receiver's token; the log and the stored error take the
		// endpoint's ID instead.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return 0, err
	}
	// Read a little, so that the connection can be reused.
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	return resp.StatusCode, nil
}

// retry puts h back with backoff, or fails it for good once it has been
// tried MaxAttempts times.
func (w *Worker) retry(ctx context.Context, log *slog.Logger, h otpd.WebhookDelivery, reason string) error {
	reason = truncate(reason, maxReason)
	if h.Attempts >= orDefault(w.MaxAttempts, DefaultMaxAttempts) {
		log.Error("webhook: given up after its last attempt", "err", reason)
		return w.finish(ctx, h, otpd.WebhookFailed, reason)
	}
	next := w.Clock.Now().Add(w.backoff(h.Attempts))
	if err := w.Store.RetryWebhook(ctx, h.ID, next, reason); err != nil {
		return fmt.Errorf("webhook: retry %s: %w", h.ID, err)
	}
	log.Warn("webhook: delivery failed; will retry", "err", reason, "next", next)
	return nil
}

func (w *Worker) finish(ctx context.Context, h otpd.WebhookDelivery, state otpd.WebhookState, reason string) error {
	if err := w.Store.FinishWebhook(ctx, h.ID, state, w.Clock.Now(), reason); err != nil {
		return fmt.Errorf("webhook: finish %s as %s: %w", h.ID, state, err)
	}
	return nil
}

// backoff is the delay after a webhook's attempts-th try: between half
// and all of a ceiling that starts at BaseBackoff and doubles with each
// try, up to MaxBackoff. Half of it is fixed, so that the retries span
// a known time; the other half is drawn, so that webhooks that failed
// together do not all come back together.
func (w *Worker) backoff(attempts int) time.Duration {
	ceiling, limit := orDefault(w.BaseBackoff, DefaultBaseBackoff), orDefault(w.MaxBackoff, DefaultMaxBackoff)
	for i := 1; i < attempts && ceiling < limit; i++ {
		ceiling *= 2
	}
	ceiling = min(ceiling, limit)
	jitter := w.Jitter
	if jitter == nil {
		jitter = func(d time.Duration) time.Duration { return rand.N(d + 1) }
	}
	return ceiling/2 + jitter(ceiling/2)
}

func (w *Worker) endpoint(id string) (Endpoint, bool) {
	for _, ep := range w.Endpoints {
		if ep.ID == id {
			return ep, true
		}
	}
	return Endpoint{}, false
}

func (w *Worker) client() *http.Client {
	if w.Client != nil {
		return w.Client
	}
	return noRedirects
}

// noRedirects is the default client: a redirect answers as it is, and
// is retried as any other status that is not 2xx or 4xx.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func (w *Worker) logger() *slog.Logger {
	if w.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return w.Log
}

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
