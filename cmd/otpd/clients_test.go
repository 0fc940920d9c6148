package main

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

func signInFrom(t *testing.T, s *server, email, forwardedFor string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("POST", s.url+"/api/v1/sign-in", strings.NewReader(`{"email":"`+email+`"}`))
	req.Header.Set("Content-Type", "application/json")
	if forwardedFor != "" {
		req.Header.Set("X-Forwarded-For", forwardedFor)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// One client asking for codes for many addresses is refused past its
// rate, with a Retry-After, whichever address it names.
func TestPerIPLimit(t *testing.T) {
	s := startServer(t, map[string]string{"OTPD_LIMITS_CODES_PER_IP_PER_HOUR": "3"})
	for i := range 3 {
		if resp := signInFrom(t, s, fmt.Sprintf("u%d@example.com", i), ""); resp.StatusCode != http.StatusAccepted {
			t.Fatalf("request %d: %d", i, resp.StatusCode)
		}
	}
	// At 3 an hour the next request is due 1,200 s after the first, less
	// the seconds the server's clock moved meanwhile: on a loaded machine
	// that is more than one.
	resp := signInFrom(t, s, "someone-else@example.com", "")
	after, err := strconv.Atoi(resp.Header.Get("Retry-After"))
	if resp.StatusCode != http.StatusTooManyRequests || err != nil || after < 1140 || after > 1200 {
		t.Fatalf("4th request from one IP: %d, Retry-After %q; want 429 after about 1200 s", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
}

// Behind a trusted proxy each client has its own limit and its own address
// in the record; without trust, X-Forwarded-For is ignored.
func TestTrustedProxy(t *testing.T) {
	s := startServer(t, map[string]string{"OTPD_LIMITS_CODES_PER_IP_PER_HOUR": "1", "OTPD_LIMITS_CODES_PER_NETWORK_PER_HOUR": "0", "OTPD_TRUSTED_PROXIES": "127.0.0.1"})
	for _, ip := range []string{"198.51.100.1", "198.51.100.2", "198.51.100.3"} {
		if resp := signInFrom(t, s, "ada@example.com", "203.0.113.99, "+ip); resp.StatusCode != http.StatusAccepted {
			t.Fatalf("client %s: %d", ip, resp.StatusCode)
		}
	}
	if resp := signInFrom(t, s, "ada@example.com", "198.51.100.1"); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("second request of one client: %d", resp.StatusCode)
	}
	s.code(t, "ada@example.com", 2) // the three codes have arrived
	owner := s.signInAs(t, "ada@example.com", "198.51.100.9")
	evs, err := owner.Activity(ctx)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, e := range evs {
		seen[e.IP] = true
	}
	if !seen["198.51.100.2"] || seen["203.0.113.99"] || seen["127.0.0.1"] {
		t.Errorf("recorded IPs %v: want the clients', not the spoofed or the proxy's", seen)
	}

	direct := startServer(t, map[string]string{"OTPD_LIMITS_CODES_PER_IP_PER_HOUR": "1"})
	signInFrom(t, direct, "ada@example.com", "198.51.100.1")
	if resp := signInFrom(t, direct, "ada@example.com", "198.51.100.2"); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("an untrusted X-Forwarded-For changed the client: %d", resp.StatusCode)
	}
}
