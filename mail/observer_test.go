package mail_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/mail"
)

type results struct {
	mu  sync.Mutex
	got []mail.Result
}

func (r *results) Delivered(res mail.Result) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, res)
}

func (r *results) take() []mail.Result {
	r.mu.Lock()
	defer r.mu.Unlock()
	got := r.got
	r.got = nil
	return got
}

// Each delivery attempt is heard once, with what it came to: a retry, a
// send, a refusal for good, a payload that cannot be opened, and a code
// that expired first.
func TestWorkerObserverHearsEachResult(t *testing.T) {
	r := newRig(t)
	heard := &results{}
	r.worker.Observer = heard
	r.mailer.errs = []error{errTemporary, nil, nil, fmt.Errorf("rcpt: %w", &otpd.PermanentError{Err: errTemporary})}
	step := func(name string, want ...mail.Result) {
		t.Helper()
		r.runOnce(t)
		if got := heard.take(); !slices.Equal(got, want) {
			t.Errorf("%s: heard %q, want %q", name, got, want)
		}
	}
	r.queue(t, "m1", "ada@example.com")
	step("temporary failure", mail.ResultRetry)
	r.clock.Advance(time.Minute)
	r.queue(t, "m2", "ada@example.com")
	step("retried", mail.ResultSent, mail.ResultSent)
	r.queue(t, "m3", "nobody@example.com")
	step("refused for good", mail.ResultFailed)
	r.queue(t, "m4", "ada@example.com", func(m *otpd.OutboxMessage) { m.Payload = []byte("not sealed") })
	step("unopenable", mail.ResultFailed)
	r.queue(t, "m5", "ada@example.com")
	r.clock.Advance(10 * time.Minute)
	step("expired", mail.ResultUndeliverable)
}
