package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// hookReceiver is an app's webhook endpoint in the test process. It
// answers the statuses it is given, one per POST, then 204; while
// blocked, it holds every POST until unblocked.
type hookReceiver struct {
	srv      *httptest.Server
	mu       sync.Mutex
	statuses []int
	posts    []hookPost
	block    chan struct{}
}

// hookPost is one POST the receiver saw, and what it answered.
type hookPost struct {
	header http.Header
	body   []byte
	status int
}

// hookPayload is a webhook body as the receiving app reads it.
type hookPayload struct {
	Type      string         `json:"type"`
	Timestamp time.Time      `json:"timestamp"`
	Data      map[string]any `json:"data"`
}

func newHookReceiver(t *testing.T, statuses ...int) *hookReceiver {
	r := &hookReceiver{statuses: statuses}
	r.srv = httptest.NewServer(r)
	t.Cleanup(func() {
		r.unblock()
		r.srv.Close()
	})
	return r
}

func (r *hookReceiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	block := r.block
	status := http.StatusNoContent
	if len(r.statuses) > 0 {
		status, r.statuses = r.statuses[0], r.statuses[1:]
	}
	r.posts = append(r.posts, hookPost{header: req.Header.Clone(), body: body, status: status})
	r.mu.Unlock()
	if block != nil {
		select {
		case <-block:
		case <-req.Context().Done():
			return
		}
	}
	w.WriteHeader(status)
}

func (r *hookReceiver) blockAll() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.block = make(chan struct{})
}

func (r *hookReceiver) unblock() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.block != nil {
		close(r.block)
		r.block = nil
	}
}

func (r *hookReceiver) seen() []hookPost {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]hookPost(nil), r.posts...)
}

// waitDelivered waits until webhooks of every type in types were
// answered 2xx, and returns the POSTs seen by then.
func (r *hookReceiver) waitDelivered(t *testing.T, types ...string) []hookPost {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		posts := r.seen()
		missing := false
		for _, typ := range types {
			if len(delivered(t, posts, typ)) == 0 {
				missing = true
			}
		}
		if !missing {
			return posts
		}
		if time.Now().After(deadline) {
			t.Fatalf("webhooks %v did not all arrive; saw %d POSTs", types, len(posts))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// delivered returns the payloads of typ that were answered 2xx.
func delivered(t *testing.T, posts []hookPost, typ string) []hookPayload {
	t.Helper()
	var out []hookPayload
	for _, p := range posts {
		if pl := decodeHook(t, p); pl.Type == typ && p.status/100 == 2 {
			out = append(out, pl)
		}
	}
	return out
}

func decodeHook(t *testing.T, p hookPost) hookPayload {
	t.Helper()
	var pl hookPayload
	if err := json.Unmarshal(p.body, &pl); err != nil {
		t.Fatalf("webhook body is not JSON: %v\n%s", err, p.body)
	}
	return pl
}

// verifyHook checks a POST as a receiver following the Standard Webhooks
// specification would, written here apart from otpd's signer: the secret
// is whsec_ and base64; the signed content is id.timestamp.body; the
// header lists space-separated "v1,<base64 HMAC-SHA256>" signatures, of
// which one must match; the timestamp must be recent.
func verifyHook(t *testing.T, secret string, p hookPost) {
	t.Helper()
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		t.Fatalf("secret %q: %v", secret, err)
	}
	id, ts := p.header.Get("webhook-id"), p.header.Get("webhook-timestamp")
	if id == "" || ts == "" {
		t.Fatalf("webhook without id or timestamp: %v", p.header)
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || time.Since(time.Unix(sec, 0)).Abs() > 5*time.Minute {
		t.Errorf("webhook-timestamp %q is not a recent Unix time", ts)
	}
	mac := hmac.New(sha256.New, key)
	fmt.Fprintf(mac, "%s.%s.%s", id, ts, p.body)
	want := mac.Sum(nil)
	for _, sig := range strings.Fields(p.header.Get("webhook-signature")) {
		version, b64, _ := strings.Cut(sig, ",")
		got, err := base64.StdEncoding.DecodeString(b64)
		if version == "v1" && err == nil && hmac.Equal(got, want) {
			return
		}
	}
	t.Errorf("webhook %s: no signature verifies: %q", id, p.header.Get("webhook-signature"))
}

// hookConfig writes a configuration with one endpoint, url, hearing
// events (every type when none), signed with secret (derived when "").
func hookConfig(t *testing.T, url, secret string, events ...string) string {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "[[webhooks]]\nid = \"app\"\nurl = %q\n", url)
	if secret != "" {
		fmt.Fprintf(&b, "secret = %q\n", secret)
	}
	if len(events) > 0 {
		q := make([]string, len(events))
		for i, e := range events {
			q[i] = strconv.Quote(e)
		}
		fmt.Fprintf(&b, "events = [%s]\n", strings.Join(q, ", "))
	}
	path := filepath.Join(t.TempDir(), "otpd.toml")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

const hookSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

var printedSecret = regexp.MustCompile(`secret: (whsec_\S+) \(derived from the server secret\)`)

// A sign-up, a sign-in and "this wasn't me" reach the app as signed
// webhooks of their types, carrying the account and what each type
// says, and nothing of the code, the IP or the device. The secret is the
// one `otpd webhooks` prints, derived from the server secret.
func TestWebhooksReportSignUpSignInAndDenial(t *testing.T) {
	recv := newHookReceiver(t)
	cfg := hookConfig(t, recv.srv.URL, "")
	s := startServer(t, roomyLimits, "--config", cfg)
	out, _, err := runCmd(t, nil, "webhooks", "--config", cfg, "--data", s.dir)
	if err != nil {
		t.Fatal(err)
	}
	m := printedSecret.FindStringSubmatch(out)
	if m == nil || !strings.Contains(out, recv.srv.URL) || !strings.Contains(out, "every type") {
		t.Fatalf("otpd webhooks printed:\n%s", out)
	}
	secret := m[1]

	ada := s.signIn(t, "ada@example.com")
	me, err := ada.Me(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n := s.messages(t, "ada@example.com")
	if _, err := s.client().SignIn(ctx, "ada@example.com"); err != nil {
		t.Fatal(err)
	}
	link := denyLink.FindString(s.mail(t, "ada@example.com", n).Text)
	if resp, page := postForm(t, browser(t), link, nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("deny %q: %d\n%s", link, resp.StatusCode, page)
	}
	posts := recv.waitDelivered(t, "account.created", "session.started", "security.code_denied")

	ids := map[string]bool{}
	for _, p := range posts {
		verifyHook(t, secret, p)
		if ids[p.header.Get("webhook-id")] {
			t.Errorf("webhook-id %s used twice", p.header.Get("webhook-id"))
		}
		ids[p.header.Get("webhook-id")] = true
		if ct := p.header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("Content-Type %q", ct)
		}
		for _, leak := range []string{"127.0.0.1", "Go-http-client", "code\":\"", "token"} {
			if bytes.Contains(p.body, []byte(leak)) {
				t.Errorf("webhook body carries %q: %s", leak, p.body)
			}
		}
		if pl := decodeHook(t, p); pl.Data["account_id"] != me.ID || time.Since(pl.Timestamp) > time.Minute {
			t.Errorf("%s: account %v at %v, want %s, just now", pl.Type, pl.Data["account_id"], pl.Timestamp, me.ID)
		}
	}
	wantData(t, delivered(t, posts, "account.created"), map[string]any{"email": "ada@example.com"})
	wantData(t, delivered(t, posts, "session.started"), map[string]any{"method": "code"})
	wantData(t, delivered(t, posts, "security.code_denied"), map[string]any{"purpose": "sign_in", "reported_by": "account_owner"})
}

// What an administrator does reaches the apps: a disabling through the
// admin API, served by the server, and a deletion by "otpd accounts",
// a process of its own over the same store, which queues it for the
// server to deliver.
func TestWebhooksReportAdministration(t *testing.T) {
	recv := newHookReceiver(t)
	cfg := hookConfig(t, recv.srv.URL, hookSecret, "account.disabled", "account.deleted")
	s := startServer(t, roomyLimits, "--config", cfg)
	me, err := s.signIn(t, "ada@example.com").Me(ctx)
	if err != nil {
		t.Fatal(err)
	}
	operator := s.client()
	operator.Token = s.adminToken(t, "write")
	if _, err := operator.AdminDisable(ctx, me.ID); err != nil {
		t.Fatal(err)
	}
	// A deletion drops the account's webhooks not yet delivered, whose
	// bodies may hold its address: this test lets the first arrive.
	recv.waitDelivered(t, "account.disabled")
	if _, _, err := s.admin(t, "accounts", "delete", me.ID, "--yes", "--config", cfg); err != nil {
		t.Fatal(err)
	}
	posts := recv.waitDelivered(t, "account.disabled", "account.deleted")
	for _, p := range posts {
		verifyHook(t, hookSecret, p)
		if pl := decodeHook(t, p); pl.Data["account_id"] != me.ID || len(pl.Data) != 1 {
			t.Errorf("%s carries %v, want only account %s", pl.Type, pl.Data, me.ID)
		}
	}
}

// wantData checks that there is one payload and that its data holds
// want besides the account's ID, and nothing else.
func wantData(t *testing.T, pls []hookPayload, want map[string]any) {
	t.Helper()
	if len(pls) != 1 {
		t.Fatalf("%d payloads, want 1", len(pls))
	}
	got := pls[0].Data
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s data %s = %v, want %v", pls[0].Type, k, got[k], v)
		}
	}
	if len(got) != len(want)+1 {
		t.Errorf("%s data %v, want only account_id and %v", pls[0].Type, got, want)
	}
}

// A receiver that fails (500) is tried again with the same webhook-id
// and body, and the webhook is delivered once.
func TestWebhookRetriedUntilDelivered(t *testing.T) {
	recv := newHookReceiver(t, http.StatusInternalServerError)
	s := startServer(t, roomyLimits, "--config", hookConfig(t, recv.srv.URL, hookSecret, "account.created"))
	s.signIn(t, "ada@example.com")
	posts := recv.waitDelivered(t, "account.created")
	if len(posts) != 2 || posts[0].status != http.StatusInternalServerError {
		t.Fatalf("%d POSTs, first answered %d; want 2, a 500 then a 2xx", len(posts), posts[0].status)
	}
	if posts[0].header.Get("webhook-id") != posts[1].header.Get("webhook-id") || !bytes.Equal(posts[0].body, posts[1].body) {
		t.Errorf("the retry is another webhook: %s then %s", posts[0].header.Get("webhook-id"), posts[1].header.Get("webhook-id"))
	}
	for _, p := range posts {
		verifyHook(t, hookSecret, p)
	}
	if !strings.Contains(s.logs.String(), "will retry") {
		t.Errorf("the failed try was not logged:\n%s", s.logs)
	}
	// Nothing more is sent once delivered.
	time.Sleep(200 * time.Millisecond)
	if n := len(recv.seen()); n != 2 {
		t.Errorf("%d POSTs after delivery, want 2", n)
	}
}

// A server killed with a webhook queued and not delivered loses nothing:
// the next start delivers it, with the same webhook-id.
func TestWebhookSurvivesAKilledServer(t *testing.T) {
	recv := newHookReceiver(t, http.StatusServiceUnavailable)
	cfg := hookConfig(t, recv.srv.URL, hookSecret, "account.created")
	c := startChild(t, roomyLimits, "--config", cfg)
	f, err := c.client().SignIn(ctx, "bob@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.client().Verify(ctx, f.FlowID, c.code(t, "bob@example.com", 0)); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); !strings.Contains(c.logs.String(), "webhook: delivery failed; will retry"); {
		if time.Now().After(deadline) {
			t.Fatalf("the child never tried the webhook\n%s", c.logs)
		}
		time.Sleep(10 * time.Millisecond)
	}
	c.kill()
	first := recv.seen()[0].header.Get("webhook-id")

	startServer(t, roomyLimits, "--data", c.dir, "--config", cfg)
	posts := recv.waitDelivered(t, "account.created")
	last := posts[len(posts)-1]
	if last.header.Get("webhook-id") != first || last.status/100 != 2 {
		t.Errorf("delivered %s (%d), want %s", last.header.Get("webhook-id"), last.status, first)
	}
	verifyHook(t, hookSecret, last)
}

// A receiver that hangs, or is gone, never holds up or fails a sign-in.
func TestWebhookReceiverDownNeverBlocksSignIn(t *testing.T) {
	recv := newHookReceiver(t)
	recv.blockAll()
	s := startServer(t, roomyLimits, "--config", hookConfig(t, recv.srv.URL, hookSecret))
	s.signIn(t, "ada@example.com")
	for deadline := time.Now().Add(30 * time.Second); len(recv.seen()) == 0; {
		if time.Now().After(deadline) {
			t.Fatal("no webhook was sent")
		}
		time.Sleep(10 * time.Millisecond)
	}
	// A POST hangs now; sign-ins go on regardless.
	for i := range 3 {
		s.signIn(t, fmt.Sprintf("user%d@example.com", i))
	}
	s.signIn(t, "ada@example.com")
	recv.unblock()

	gone := newHookReceiver(t)
	gone.srv.Close()
	s2 := startServer(t, roomyLimits, "--config", hookConfig(t, gone.srv.URL, hookSecret))
	s2.signIn(t, "ada@example.com")
	s2.signIn(t, "ada@example.com")
}

// An event type that no webhook reports stops the server at start, and
// check-config, naming the key.
func TestWebhookConfigIsCheckedAtStart(t *testing.T) {
	cfg := hookConfig(t, "https://app.example.com/hooks", "", "account.created", "account.exploded")
	_, _, err := runCmd(t, nil, "check-config", "--config", cfg)
	if err == nil || !strings.Contains(err.Error(), `webhooks[0].events: must be among account.created`) ||
		!strings.Contains(err.Error(), `"account.exploded"`) {
		t.Errorf("check-config: %v", err)
	}
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	err = run(sctx, []string{"serve", "--listen", "127.0.0.1:0", "--data", t.TempDir(), "--config", cfg},
		func(string) (string, bool) { return "", false }, io.Discard, io.Discard, nil)
	if err == nil || !strings.Contains(err.Error(), "webhooks[0].events") {
		t.Errorf("serve: %v", err)
	}
}

// otpd webhooks prints a configured secret as it is, says when there is
// nothing to list, and explains itself.
func TestWebhooksCommand(t *testing.T) {
	cfg := hookConfig(t, "https://app.example.com/hooks", hookSecret, "security.lockout", "security.flood")
	out, _, err := runCmd(t, nil, "webhooks", "--config", cfg, "--data", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"app\n", "url:    https://app.example.com/hooks", "events: security.lockout, security.flood",
		"secret: " + hookSecret + " (from the configuration file)"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	out, _, err = runCmd(t, nil, "webhooks", "--data", t.TempDir())
	if err != nil || !strings.Contains(out, "No webhooks are configured") {
		t.Errorf("without webhooks: %v\n%s", err, out)
	}
	if _, _, err := runCmd(t, nil, "webhooks", "list"); err == nil || !strings.Contains(err.Error(), "takes no arguments") {
		t.Errorf("with an argument: %v", err)
	}
	for _, args := range [][]string{{"webhooks", "--help"}, {"help", "webhooks"}} {
		out, _, err := runCmd(t, nil, args...)
		if err != flag.ErrHelp || !strings.Contains(out, "Usage: otpd webhooks") || !strings.Contains(out, "-config") {
			t.Errorf("%v: %v\n%s", args, err, out)
		}
	}
	if out, _, _ := runCmd(t, nil, "--help"); !strings.Contains(out, "otpd webhooks") {
		t.Errorf("otpd --help does not list webhooks:\n%s", out)
	}
}
