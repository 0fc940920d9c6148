package webhook_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/fakeclock"
	"github.com/otpd/otpd/sqlite"
	"github.com/otpd/otpd/webhook"
)

var (
	t0  = time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	key = []byte("a key of thirty-two bytes, or so")
)

// hit is one POST the receiver saw.
type hit struct {
	id, timestamp, signature string
	body                     []byte
}

// receiver answers the statuses given, one per POST, then 204.
type receiver struct {
	mu       sync.Mutex
	statuses []int
	hits     []hit
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.hits = append(rc.hits, hit{r.Header.Get("webhook-id"), r.Header.Get("webhook-timestamp"), r.Header.Get("webhook-signature"), body})
	status := http.StatusNoContent
	if len(rc.statuses) > 0 {
		status, rc.statuses = rc.statuses[0], rc.statuses[1:]
	}
	w.WriteHeader(status)
}

func (rc *receiver) seen() []hit {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]hit(nil), rc.hits...)
}

// rig is a worker over a real SQLite store subscribed to lockouts, with
// a receiver in the test process and a clock the test moves.
type rig struct {
	store  *sqlite.Store
	clock  *fakeclock.Clock
	recv   *receiver
	url    string
	worker *webhook.Worker
	n      int
}

func newRig(t *testing.T, statuses ...int) *rig {
	t.Helper()
	s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "otpd.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	s.SetWebhooks(otpd.WebhookSubscriptions{otpd.EventLockedOut: {"crm"}})
	recv := &receiver{statuses: statuses}
	srv := httptest.NewServer(recv)
	t.Cleanup(srv.Close)
	clock := fakeclock.New(t0)
	w := &webhook.Worker{Store: s, Clock: clock, Endpoints: []webhook.Endpoint{{ID: "crm", URL: srv.URL, Key: key}},
		Jitter: func(time.Duration) time.Duration { return 0 }, MaxAttempts: 4}
	return &rig{store: s, clock: clock, recv: recv, url: srv.URL, worker: w}
}

// lockout records a lockout of a new account, which queues its webhook.
func (r *rig) lockout(t *testing.T) {
	t.Helper()
	r.n++
	n := strconv.Itoa(r.n)
	now := r.clock.Now()
	ch := otpd.Challenge{ID: "challenge-" + n, FlowID: "flow-" + n, Purpose: otpd.PurposeSignUp,
		Email: otpd.MustParseAddress("user" + n + "@example.com"), CreatedAt: now, ExpiresAt: now.Add(time.Hour),
		MaxAttempts: 5, Status: otpd.StatusPending, CodeMAC: []byte("mac")}
	req := otpd.CodeRequest{Challenge: ch, Limits: otpd.SendLimits{PerHour: 10, PerDay: 10},
		Event: otpd.Event{ID: "request-" + n, At: now, Email: ch.Email, FlowID: ch.FlowID, Purpose: ch.Purpose}}
	if err := r.store.RequestCode(t.Context(), req); err != nil {
		t.Fatal(err)
	}
	res, err := r.store.VerifyCode(t.Context(), otpd.VerifyRequest{ChallengeID: ch.ID, CodeMAC: []byte("mac"), Now: now,
		Guess: otpd.GuessLimits{MaxWrong: 10, Window: time.Hour}, NewAccountID: "account-" + n,
		Session: otpd.Session{ID: "session-" + n, TokenHash: []byte("hash-" + n), CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour)},
		Event:   otpd.Event{At: now, Email: ch.Email, FlowID: ch.FlowID}})
	if err != nil || res.Outcome != otpd.OutcomeVerified {
		t.Fatalf("sign-up: %s, %v", res.Outcome, err)
	}
	ev := otpd.Event{ID: "lockout-" + n, Type: otpd.EventLockedOut, At: now, AccountID: res.Account.ID, Email: ch.Email}
	if err := r.store.RecordEvent(t.Context(), ev); err != nil {
		t.Fatal(err)
	}
}

func (r *rig) round(t *testing.T, want int) {
	t.Helper()
	n, err := r.worker.RunOnce(t.Context())
	if err != nil || n != want {
		t.Fatalf("RunOnce at %s = %d, %v; want %d claimed", r.clock.Now().Sub(t0), n, err, want)
	}
}

// verify checks a delivery's signature as a receiver would, from the
// specification: HMAC-SHA256 of "id.timestamp.body", base64, after "v1,".
func verify(t *testing.T, h hit) {
	t.Helper()
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(h.id + "." + h.timestamp + "." + string(h.body)))
	if want := "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil)); h.signature != want {
		t.Errorf("signature %q, want %q", h.signature, want)
	}
}

// A 2xx delivers: one signed POST, and the webhook is not sent again.
func TestWorkerDelivers(t *testing.T) {
	r := newRig(t)
	r.lockout(t)
	r.round(t, 1)
	hits := r.recv.seen()
	if len(hits) != 1 {
		t.Fatalf("%d POSTs, want 1", len(hits))
	}
	verify(t, hits[0])
	if hits[0].timestamp != strconv.FormatInt(t0.Unix(), 10) {
		t.Errorf("timestamp %s, want %d", hits[0].timestamp, t0.Unix())
	}
	r.clock.Advance(24 * time.Hour)
	r.round(t, 0)
}

// A 500, a 408 and a 429 are retried with the same id, each after a
// longer wait, with the attempt's own timestamp; then a 2xx delivers.
func TestWorkerRetriesWithBackoff(t *testing.T) {
	r := newRig(t, 500, 408, 429)
	r.lockout(t)
	r.round(t, 1)
	for _, wait := range []time.Duration{2500 * time.Millisecond, 5 * time.Second, 10 * time.Second} {
		r.clock.Advance(wait - time.Millisecond)
		r.round(t, 0)
		r.clock.Advance(time.Millisecond)
		r.round(t, 1)
	}
	hits := r.recv.seen()
	if len(hits) != 4 {
		t.Fatalf("%d POSTs, want 4", len(hits))
	}
	for i, h := range hits {
		verify(t, h)
		if h.id != hits[0].id || string(h.body) != string(hits[0].body) {
			t.Errorf("try %d: id %s, want %s and the same body", i, h.id, hits[0].id)
		}
	}
	if hits[3].timestamp == hits[0].timestamp {
		t.Error("the last try carries the first try's timestamp")
	}
	r.clock.Advance(24 * time.Hour)
	r.round(t, 0)
}

// A 4xx other than 408 and 429 is the receiver's refusal: no retry.
func TestWorkerRefusalIsFinal(t *testing.T) {
	r := newRig(t, http.StatusGone)
	r.lockout(t)
	r.round(t, 1)
	r.clock.Advance(24 * time.Hour)
	r.round(t, 0)
	if n := len(r.recv.seen()); n != 1 {
		t.Errorf("%d POSTs, want 1", n)
	}
}

// After MaxAttempts failures the webhook fails and is not tried again.
func TestWorkerGivesUp(t *testing.T) {
	r := newRig(t, 503, 503, 503, 503, 503)
	r.lockout(t)
	for range 4 {
		r.round(t, 1)
		r.clock.Advance(time.Hour)
	}
	r.clock.Advance(24 * time.Hour)
	r.round(t, 0)
	if n := len(r.recv.seen()); n != 4 {
		t.Errorf("%d POSTs, want 4", n)
	}
}

// A receiver that hangs is cut off at Timeout and tried again; a
// receiver that is gone is tried again.
func TestWorkerRetriesTimeoutsAndRefusedConnections(t *testing.T) {
	r := newRig(t)
	hang := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		select {
		case <-hang:
		case <-req.Context().Done():
		}
	}))
	t.Cleanup(func() { close(hang); slow.Close() })
	r.worker.Endpoints[0].URL, r.worker.Timeout = slow.URL, 50*time.Millisecond
	r.lockout(t)
	r.round(t, 1)
	r.clock.Advance(time.Minute)
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()
	r.worker.Endpoints[0].URL = gone.URL
	r.round(t, 1)
	r.clock.Advance(time.Minute)
	r.worker.Endpoints[0].URL = r.url
	r.round(t, 1)
	if n := len(r.recv.seen()); n != 1 {
		t.Errorf("%d POSTs reached the receiver, want 1", n)
	}
}

// A webhook for an endpoint this node does not know waits for one that
// does, rather than failing.
func TestWorkerKeepsUnknownEndpoints(t *testing.T) {
	r := newRig(t)
	eps := r.worker.Endpoints
	r.worker.Endpoints = nil
	r.lockout(t)
	r.round(t, 1)
	r.worker.Endpoints = eps
	r.clock.Advance(time.Minute)
	r.round(t, 1)
	if n := len(r.recv.seen()); n != 1 {
		t.Errorf("%d POSTs, want 1", n)
	}
}

// A receiver's URL may carry its token in the query: a failed delivery's
// log line and stored error name the endpoint, never the URL.
func TestWorkerKeepsTheURLOutOfErrors(t *testing.T) {
	r := newRig(t)
	var logs bytes.Buffer
	r.worker.Log = slog.New(slog.NewTextHandler(&logs, nil))
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()
	r.worker.Endpoints[0].URL = gone.URL + "/hook?token=s3cret"
	r.lockout(t)
	r.round(t, 1)
	r.clock.Advance(time.Hour)
	hooks, err := r.store.ClaimWebhooks(t.Context(), r.clock.Now(), time.Minute, 10)
	if err != nil || len(hooks) != 1 || hooks[0].LastError == "" {
		t.Fatalf("the failed webhook: %+v, %v", hooks, err)
	}
	for where, s := range map[string]string{"stored error": hooks[0].LastError, "log": logs.String()} {
		if strings.Contains(s, "s3cret") {
			t.Errorf("the %s shows the URL's token: %s", where, s)
		}
	}
}
