// Package webtest is the rig the web's handler tests run on: the whole
// web.Server over httptest, a real SQLite store in a temporary directory,
// the real engine, limiter, codes, passwords and outbox worker, the dev
// mailbox, and a clock the test moves. Nothing is mocked: a mocked store
// lets tests pass while the SQL is wrong. Only tests import it.
package webtest

import (
	"bytes"
	"context"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/fakeclock"
	"github.com/otpd/otpd/limit"
	"github.com/otpd/otpd/mail"
	"github.com/otpd/otpd/passcode"
	"github.com/otpd/otpd/password"
	"github.com/otpd/otpd/signin"
	"github.com/otpd/otpd/sqlite"
	"github.com/otpd/otpd/web"
)

// Rig is a running web server and what it runs on.
type Rig struct {
	// URL is the server's root, without a trailing slash.
	URL   string
	Clock *fakeclock.Clock
	// Logs are everything the server logged, as text.
	Logs   *Logs
	store  *countingStore
	worker *mail.Worker
	box    *mail.DevMailbox
}

// Policy is the engine's policy on the rig: the defaults of otpd's
// configuration, with room for the codes a test asks for.
var Policy = signin.Policy{
	Digits: 9, CodeLifetime: 10 * time.Minute, MaxAttempts: 5,
	Send:          otpd.SendLimits{PerHour: 50, PerDay: 50, ResendCooldown: 30 * time.Second},
	Guess:         otpd.GuessLimits{MaxWrong: 10, Window: 12 * time.Hour},
	GuessFamiliar: otpd.GuessLimits{MaxWrong: 10, Window: 12 * time.Hour},
	SessionIdle:   72 * time.Hour, SessionAbsolute: 720 * time.Hour, StepUpFor: 10 * time.Minute,
	SignUp: true, MessageIDDomain: "otpd.test",
}

// cheapHash keeps argon2 from dominating the tests.
var cheapHash = password.Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLen: 16, KeyLen: 32}

// New starts a rig; edit, when given, changes the policy first.
func New(t *testing.T, edit ...func(*signin.Policy)) *Rig {
	t.Helper()
	return NewWeb(t, nil, edit...)
}

// NewWeb is New with the web server's options changed by opts, when it is
// not nil, before the server starts.
func NewWeb(t *testing.T, opts func(*web.Options), edit ...func(*signin.Policy)) *Rig {
	t.Helper()
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "otpd.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	book, err := passcode.New(bytes.Repeat([]byte{1}, 32), Policy.Digits)
	if err != nil {
		t.Fatal(err)
	}
	logs := &Logs{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	r := &Rig{Clock: fakeclock.New(time.Date(2026, 11, 23, 14, 2, 0, 0, time.UTC)), Logs: logs,
		store: &countingStore{Store: db}}
	r.box = &mail.DevMailbox{Store: db, Seal: book.Seal, Open: book.Open}
	r.worker = &mail.Worker{Store: db, Mailer: r.box, Open: book.Open, Clock: r.Clock, Log: log,
		Composer: &mail.Composer{From: "otpd <no-reply@otpd.test>", PublicURL: "https://otpd.test", Product: "otpd"}}
	policy := Policy
	for _, e := range edit {
		e(&policy)
	}
	pw := password.NewChecker(password.Hasher{Params: cheapHash}, password.DefaultPolicy, 4, 64)
	engine := signin.New(signin.Deps{Store: r.store, Codes: book, Clock: r.Clock, Limiter: limit.NewMemory(),
		Passwords: pw, Log: log}, policy)
	o := web.Options{Engine: engine, Mailbox: r.box, Clock: r.Clock, Log: log,
		PasswordMinLength: password.DefaultPolicy.MinLength}
	if opts != nil {
		opts(&o)
	}
	srv := httptest.NewServer(web.New(o).Handler())
	t.Cleanup(srv.Close)
	r.URL = srv.URL
	return r
}

// Lookups is how many session look-ups by token f makes.
func (r *Rig) Lookups(f func()) int64 {
	before := r.store.lookups.Load()
	f()
	return r.store.lookups.Load() - before
}

// countingStore is the real SQLite store, counting the session look-ups
// by token that authenticating a request makes.
type countingStore struct {
	otpd.Store
	lookups atomic.Int64
}

func (s *countingStore) SessionByTokenHash(ctx context.Context, hash []byte) (otpd.Session, error) {
	s.lookups.Add(1)
	return s.Store.SessionByTokenHash(ctx, hash)
}

// Logs is a log the server writes while a test reads it.
type Logs struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *Logs) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *Logs) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
