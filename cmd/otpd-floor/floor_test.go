package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	msgauth "github.com/emersion/go-msgauth/dkim"

	"github.com/otpd/otpd/dkim"
)

func startFloor(t *testing.T) (*floor, *httptest.Server) {
	t.Helper()
	f, err := open(t.Context(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.close() })
	srv := httptest.NewServer(f.handler())
	t.Cleanup(srv.Close)
	return f, srv
}

func post(t *testing.T, srv *httptest.Server, path string, in map[string]string) (int, map[string]string) {
	t.Helper()
	body, _ := json.Marshal(in)
	resp, err := http.Post(srv.URL+path, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out := map[string]string{}
	if resp.StatusCode == http.StatusOK {
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			t.Fatal(err)
		}
	}
	return resp.StatusCode, out
}

func TestSignIn(t *testing.T) {
	_, srv := startFloor(t)
	status, req := post(t, srv, "/request", map[string]string{"email": "ada@example.com"})
	if status != http.StatusOK || req["flow_id"] == "" || len(req["code"]) != codeDigits {
		t.Fatalf("request: %d %v", status, req)
	}
	status, ver := post(t, srv, "/verify", map[string]string{"flow_id": req["flow_id"], "code": req["code"]})
	if status != http.StatusOK || ver["session_token"] == "" {
		t.Fatalf("verify: %d %v", status, ver)
	}
	if status, _ := post(t, srv, "/verify", map[string]string{"flow_id": req["flow_id"], "code": req["code"]}); status != http.StatusBadRequest {
		t.Errorf("the same code again: %d, want 400", status)
	}
}

// Wrong codes count, and after maxAttempts the right one no longer works.
func TestAttemptsAreCounted(t *testing.T) {
	f, srv := startFloor(t)
	_, req := post(t, srv, "/request", map[string]string{"email": "ada@example.com"})
	wrong := fmt.Sprintf("%09d", (mustAtoi(t, req["code"])+1)%codeUpperBound)
	for range maxAttempts {
		if status, _ := post(t, srv, "/verify", map[string]string{"flow_id": req["flow_id"], "code": wrong}); status != http.StatusBadRequest {
			t.Fatalf("wrong code: %d, want 400", status)
		}
	}
	if status, _ := post(t, srv, "/verify", map[string]string{"flow_id": req["flow_id"], "code": req["code"]}); status != http.StatusBadRequest {
		t.Errorf("right code after %d wrong ones: %d, want 400", maxAttempts, status)
	}
	var attempts int
	if err := f.store.db.QueryRow(`SELECT attempts FROM challenges WHERE id = ?`, req["flow_id"]).Scan(&attempts); err != nil || attempts != maxAttempts {
		t.Errorf("attempts %d, %v; want %d", attempts, err, maxAttempts)
	}
}

// Many submissions of one right code at once: one session, however they
// interleave (the conditional UPDATE decides).
func TestCodeVerifiesOnce(t *testing.T) {
	f, srv := startFloor(t)
	_, req := post(t, srv, "/request", map[string]string{"email": "ada@example.com"})
	body := fmt.Sprintf(`{"flow_id": %q, "code": %q}`, req["flow_id"], req["code"])
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if resp, err := http.Post(srv.URL+"/verify", "application/json", strings.NewReader(body)); err == nil {
				resp.Body.Close()
			}
		})
	}
	wg.Wait()
	var sessions int
	if err := f.store.db.QueryRow(`SELECT count(*) FROM sessions`).Scan(&sessions); err != nil || sessions != 1 {
		t.Errorf("%d sessions, %v; want 1", sessions, err)
	}
}

func TestBadRequests(t *testing.T) {
	_, srv := startFloor(t)
	for path, body := range map[string]string{
		"/request": `{"email": "not an address"}`,
		"/verify":  `{"code": "123456789"}`,
	} {
		resp, err := http.Post(srv.URL+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s %s: %d, want 400", path, body, resp.StatusCode)
		}
	}
	if status, _ := post(t, srv, "/verify", map[string]string{"flow_id": "nope", "code": "123456789"}); status != http.StatusBadRequest {
		t.Errorf("unknown flow: %d, want 400", status)
	}
	resp, err := http.Get(srv.URL + "/request")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET /request: %d, want 405", resp.StatusCode)
	}
}

// The message the floor signs carries the code and a signature that an
// independent verifier accepts: the floor does the signing work for real.
func TestMessageIsSigned(t *testing.T) {
	f, srv := startFloor(t)
	sent := make(chan []byte, 1)
	f.sent = func(m []byte) { sent <- m }
	_, req := post(t, srv, "/request", map[string]string{"email": "ada@example.com"})
	var raw []byte
	select {
	case raw = <-sent:
	default: // the request has been answered: its message is signed by now
		t.Fatal("the request signed no message")
	}
	if !bytes.Contains(raw, []byte(req["code"])) {
		t.Fatalf("message lacks the code:\n%s", raw)
	}
	_, record, err := dkim.TXTRecord(f.signer.Selector, f.signer.Domain, f.signer.RSA.Public())
	if err != nil {
		t.Fatal(err)
	}
	lookup := func(string) ([]string, error) { return []string{record}, nil }
	vs, err := msgauth.VerifyWithOptions(bytes.NewReader(raw), &msgauth.VerifyOptions{LookupTXT: lookup})
	if err != nil || len(vs) != 1 || vs[0].Err != nil {
		t.Fatalf("verify: %v, %+v", err, vs)
	}
}

func TestListensOnLoopbackOnly(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:8090", ":8090", "192.0.2.1:8090"} {
		err := run(t.Context(), []string{"--listen", addr, "--data", t.TempDir()}, io.Discard, io.Discard, nil)
		if err == nil || !strings.Contains(err.Error(), "loopback only") {
			t.Errorf("--listen %s: %v, want a refusal", addr, err)
		}
	}
}

func TestRunServesUntilStopped(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	addr := make(chan string, 1)
	go func() {
		done <- run(ctx, []string{"--listen", "127.0.0.1:0", "--data", t.TempDir()}, io.Discard, io.Discard,
			func(a string) { addr <- a })
	}()
	var a string
	select {
	case a = <-addr:
	case err := <-done:
		t.Fatalf("run: %v", err)
	}
	resp, err := http.Post("http://"+a+"/request", "application/json", strings.NewReader(`{"email": "ada@example.com"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("request: %d", resp.StatusCode)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("run: %v", err)
	}
}

func mustAtoi(t *testing.T, s string) int {
	t.Helper()
	var n int
	if _, err := fmt.Sscanf(s, "%d", &n); err != nil {
		t.Fatal(err)
	}
	return n
}
