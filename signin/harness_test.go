package signin_test

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/fakeclock"
	"github.com/otpd/otpd/limit"
	"github.com/otpd/otpd/mail"
	"github.com/otpd/otpd/passcode"
	"github.com/otpd/otpd/password"
	"github.com/otpd/otpd/risk"
	"github.com/otpd/otpd/risk/geotest"
	"github.com/otpd/otpd/signin"
	"github.com/otpd/otpd/sqlite"
)

var start = time.Date(2026, 11, 23, 14, 2, 0, 0, time.UTC)

// rig is an engine over a real SQLite file, with the real outbox worker
// delivering to a dev mailbox, and a clock the test moves.
type rig struct {
	engine  *signin.Engine
	book    *passcode.Book
	store   *sqlite.Store
	clock   *fakeclock.Clock
	worker  *mail.Worker
	mailbox *mail.DevMailbox
	logs    *bytes.Buffer
	dir     string
}

func testPolicy() signin.Policy {
	return signin.Policy{
		Digits: 9, CodeLifetime: 10 * time.Minute, MaxAttempts: 5,
		Send:          otpd.SendLimits{PerHour: 5, PerDay: 10, ResendCooldown: 30 * time.Second},
		Guess:         otpd.GuessLimits{MaxWrong: 10, Window: 12 * time.Hour},
		GuessFamiliar: otpd.GuessLimits{MaxWrong: 10, Window: 12 * time.Hour},
		SessionIdle:   72 * time.Hour, SessionAbsolute: 720 * time.Hour,
		StepUpFor: 10 * time.Minute, MaxTravelKMH: 1000, GuardFor: 24 * time.Hour,
		SignUp: true, MessageIDDomain: "otpd.test",
	}
}

func newRig(t *testing.T, edit ...func(*signin.Policy)) *rig {
	t.Helper()
	return newRigWith(t, nil, edit...)
}

// newRigWith is newRig with the engine's Passwords passed through wrap
// (when set), for tests that count or hold up the hashing.
func newRigWith(t *testing.T, wrap func(signin.Passwords) signin.Passwords, edit ...func(*signin.Policy)) *rig {
	t.Helper()
	dir := t.TempDir()
	store, err := sqlite.Open(context.Background(), filepath.Join(dir, "otpd.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	book, err := passcode.New(bytes.Repeat([]byte{1}, 32), 9)
	if err != nil {
		t.Fatal(err)
	}
	p := testPolicy()
	for _, e := range edit {
		e(&p)
	}
	logs := &bytes.Buffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	clock := fakeclock.New(start)
	// Kept in the store, sealed, as the server keeps it: invariant 1's
	// test reads the database files with the mailbox's rows in them.
	box := &mail.DevMailbox{Store: store, Seal: book.Seal, Open: book.Open}
	w := &mail.Worker{Store: store, Mailer: box, Open: book.Open, Clock: clock, Log: log,
		Composer: &mail.Composer{From: "otpd <no-reply@otpd.test>", PublicURL: "https://otpd.test", Product: "otpd"}}
	geo, err := risk.OpenGeoIP(geotest.Write(t, dir, places))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { geo.Close() })
	var pw signin.Passwords = password.NewChecker(password.Hasher{Params: cheapHash}, password.DefaultPolicy, 4, 64)
	if wrap != nil {
		pw = wrap(pw)
	}
	secrets, err := passcode.NewSealer(bytes.Repeat([]byte{1}, 32), "otpd/v1/method-secrets")
	if err != nil {
		t.Fatal(err)
	}
	e := signin.New(signin.Deps{Store: store, Codes: book, Clock: clock, Limiter: limit.NewMemory(),
		Locator: geo, Passwords: pw, Log: log, Secrets: secrets}, p)
	return &rig{engine: e, book: book, store: store, clock: clock, worker: w, mailbox: box, logs: logs, dir: dir}
}

// places puts who (203.0.113.x) in London, and other requesters
// elsewhere.
var places = map[string]otpd.Place{
	"203.0.113.0/24":  geotest.London,
	"198.51.100.0/24": geotest.Lagos,
	"192.0.2.0/24":    geotest.NewYork,
	"2001:db8:1::/48": geotest.Sydney,
}

// cheapHash keeps the tests fast; the password package tests the real
// costs.
var cheapHash = password.Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLen: 16, KeyLen: 32}

var ctx = context.Background()

var who = signin.Requester{IP: "203.0.113.7", UserAgent: "Mozilla/5.0 (Windows NT 10.0) Chrome/130.0"}

var codePattern = regexp.MustCompile(`(?m)^\s*(\d{3} \d{3} \d{3})\s*$`)

// deliver runs the outbox worker once and returns the newest message to
// email.
func (r *rig) deliver(t *testing.T, email string) otpd.Email {
	t.Helper()
	if _, err := r.worker.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	msgs := r.inbox(t, email)
	if len(msgs) == 0 {
		t.Fatalf("no message to %s", email)
	}
	return msgs[0]
}

// inbox returns the messages delivered to email, newest first.
func (r *rig) inbox(t *testing.T, email string) []otpd.Email {
	t.Helper()
	msgs, err := r.mailbox.Messages(ctx, email, 0)
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}

// code delivers the outbox and reads the code from the newest message.
func (r *rig) code(t *testing.T, email string) string {
	t.Helper()
	m := r.deliver(t, email)
	match := codePattern.FindStringSubmatch(m.Text)
	if match == nil {
		t.Fatalf("no code in message %q", m.Text)
	}
	return strings.ReplaceAll(match[1], " ", "")
}

func (r *rig) signIn(t *testing.T, email string) signin.Flow {
	t.Helper()
	f, err := r.engine.SignIn(ctx, email, who)
	if err != nil {
		t.Fatalf("SignIn(%s): %v", email, err)
	}
	return f
}

// signedIn runs a whole flow for email.
func (r *rig) signedIn(t *testing.T, email string) signin.SignedIn {
	t.Helper()
	f := r.signIn(t, email)
	in, err := r.engine.Verify(ctx, f.ID, r.code(t, email), who)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	return in
}

func wantCode(t *testing.T, err error, code string) *otpd.Error {
	t.Helper()
	if got := otpd.ErrorCode(err); got != code {
		t.Fatalf("error code %q (%v), want %q", got, err, code)
	}
	e, _ := err.(*otpd.Error)
	return e
}

// wrongCode returns a well-formed code that is not right.
func wrongCode(right string) string {
	if right == "000000000" {
		return "000000001"
	}
	return "000000000"
}

// as authenticates token now, as a request does before it calls the
// engine. A token that does not authenticate gives the zero Caller, which
// every method refuses as it would have refused the token.
func (r *rig) as(token string) signin.Caller {
	c, _ := r.engine.Authenticate(ctx, token)
	return c
}
