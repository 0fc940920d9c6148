package mail_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/fakeclock"
	"github.com/otpd/otpd/mail"
	"github.com/otpd/otpd/passcode"
	"github.com/otpd/otpd/sqlite"
)

// spyStore is the real SQLite store, recording how each message's delivery
// ended, since the Store interface has no read of the outbox. The SQL runs
// for real; only the outcome is noted on the side.
type spyStore struct {
	*sqlite.Store

	mu       sync.Mutex
	finished map[string]outcome
	retried  map[string]outcome
	// claimed, when set, hears of every claim after it is made.
	claimed chan int
}

// outcome is a FinishMessage (state, reason) or RetryMessage (next, reason).
type outcome struct {
	state  otpd.MessageState
	next   time.Time
	reason string
}

func newStore(t *testing.T) *spyStore {
	t.Helper()
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "otpd.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return &spyStore{Store: st, finished: map[string]outcome{}, retried: map[string]outcome{}}
}

func (s *spyStore) ClaimMessages(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]otpd.OutboxMessage, error) {
	msgs, err := s.Store.ClaimMessages(ctx, now, lease, limit)
	if s.claimed != nil {
		s.claimed <- len(msgs)
	}
	return msgs, err
}

func (s *spyStore) RetryMessage(ctx context.Context, id string, next time.Time, lastError string) error {
	err := s.Store.RetryMessage(ctx, id, next, lastError)
	if err == nil {
		s.mu.Lock()
		s.retried[id] = outcome{next: next, reason: lastError}
		s.mu.Unlock()
	}
	return err
}

func (s *spyStore) FinishMessage(ctx context.Context, id string, state otpd.MessageState, at time.Time, lastError string) error {
	err := s.Store.FinishMessage(ctx, id, state, at, lastError)
	if err == nil {
		s.mu.Lock()
		s.finished[id] = outcome{state: state, reason: lastError}
		s.mu.Unlock()
	}
	return err
}

// FinishSent finishes the messages one by one, so that only those the
// store ended are noted.
func (s *spyStore) FinishSent(ctx context.Context, ids []string, at time.Time) (int, error) {
	total := 0
	for _, id := range ids {
		n, err := s.Store.FinishSent(ctx, []string{id}, at)
		if err != nil {
			return total, err
		}
		if n == 1 {
			s.mu.Lock()
			s.finished[id] = outcome{state: otpd.MessageSent}
			s.mu.Unlock()
		}
		total += n
	}
	return total, nil
}

// finish returns how id's delivery ended; state is empty while queued.
func (s *spyStore) finish(id string) outcome {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.finished[id]
}

// retry returns id's last retry.
func (s *spyStore) retry(id string) outcome {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.retried[id]
}

// scriptMailer records what it sends and fails as its script says: each
// Send takes the next error from errs (nil means success); past the end
// of the script it succeeds.
type scriptMailer struct {
	mu   sync.Mutex
	errs []error
	sent []otpd.Email
	// block, when set, holds each Send until it is closed or ctx ends.
	block   chan struct{}
	started chan struct{}
}

func (m *scriptMailer) Send(ctx context.Context, e otpd.Email) error {
	if m.started != nil {
		m.started <- struct{}{}
	}
	if m.block != nil {
		select {
		case <-m.block:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.errs) > 0 {
		err := m.errs[0]
		m.errs = m.errs[1:]
		if err != nil {
			return err
		}
	}
	m.sent = append(m.sent, e)
	return nil
}

func (m *scriptMailer) Sent() []otpd.Email {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.sent)
}

// rig is a worker over the real SQLite store, with a clock the test moves
// by hand and a real passcode Book for sealing.
type rig struct {
	clock  *fakeclock.Clock
	store  *spyStore
	mailer *scriptMailer
	book   *passcode.Book
	logs   *bytes.Buffer
	worker *mail.Worker
}

const testCode = "318604"

func newRig(t *testing.T) *rig {
	t.Helper()
	book, err := passcode.New(bytes.Repeat([]byte{7}, passcode.MinSecretLen), len(testCode))
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{
		clock: fakeclock.New(time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)),
		store: newStore(t), mailer: &scriptMailer{}, book: book, logs: &bytes.Buffer{},
	}
	r.worker = &mail.Worker{
		Store:    r.store,
		Mailer:   r.mailer,
		Composer: &mail.Composer{From: "otpd <no-reply@localhost>", PublicURL: "https://login.example.com", Product: "otpd"},
		Open:     book.Open,
		Clock:    r.clock,
		Log:      slog.New(slog.NewTextHandler(&lockedWriter{w: r.logs}, nil)),
		// The ceiling itself, so that backoff is predictable.
		Jitter: func(d time.Duration) time.Duration { return d },
	}
	return r
}

// queue requests a code for to now, expiring in 10 minutes, as the sign-in
// engine does: challenge, message and event in one RequestCode. edit, when
// given, changes the message before it is queued.
func (r *rig) queue(t *testing.T, id, to string, edit ...func(*otpd.OutboxMessage)) otpd.OutboxMessage {
	t.Helper()
	now := r.clock.Now()
	addr := otpd.MustParseAddress(to)
	ch := otpd.Challenge{
		ID: "ch-" + id, FlowID: "flow-" + id, Purpose: otpd.PurposeSignIn, Email: addr,
		CodeMAC: r.book.MAC("ch-"+id, testCode), CreatedAt: now, ExpiresAt: now.Add(10 * time.Minute),
		MaxAttempts: 5, Status: otpd.StatusPending, IP: "203.0.113.9", UserAgent: "Mozilla/5.0 (X11; Linux x86_64)",
	}
	data, err := json.Marshal(otpd.MessageData{
		Code: testCode, Purpose: ch.Purpose, RequestedAt: now, ExpiresAt: ch.ExpiresAt,
		IP: ch.IP, UserAgent: ch.UserAgent,
	})
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := r.book.Seal(data)
	if err != nil {
		t.Fatal(err)
	}
	m := otpd.OutboxMessage{
		ID: id, ChallengeID: ch.ID, MessageID: "<" + ch.ID + "@login.example.com>",
		Kind: otpd.MessageCode, To: addr, Payload: sealed,
		CreatedAt: now, NotAfter: ch.ExpiresAt, NextAttempt: now, State: otpd.MessageQueued,
	}
	for _, f := range edit {
		f(&m)
	}
	err = r.store.RequestCode(t.Context(), otpd.CodeRequest{
		Challenge: ch, Message: m,
		Event: otpd.Event{ID: "ev-" + id, At: now, Email: addr, FlowID: ch.FlowID, IP: ch.IP, UserAgent: ch.UserAgent},
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// runOnce runs one round and fails the test on an error.
func (r *rig) runOnce(t *testing.T) int {
	t.Helper()
	n, err := r.worker.RunOnce(t.Context())
	if err != nil {
		t.Fatalf("RunOnce: %v", err)
	}
	return n
}

type lockedWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

var errTemporary = errors.New("451 4.3.0 try again later")
