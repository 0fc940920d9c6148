package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// answer is what a client can observe of one sign-in request.
type answer struct {
	status  int
	headers []string
	keys    []string
	took    time.Duration
}

func observe(t *testing.T, url, email string) answer {
	t.Helper()
	return observePost(t, url+"/api/v1/sign-in", `{"email":"`+email+`"}`)
}

// observePost is what a client can observe of one JSON POST.
func observePost(t *testing.T, url, request string) answer {
	t.Helper()
	start := time.Now()
	resp, err := http.Post(url, "application/json", strings.NewReader(request))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	a := answer{status: resp.StatusCode, took: time.Since(start)}
	for k := range resp.Header {
		if k != "Date" && k != "Content-Length" {
			a.headers = append(a.headers, k)
		}
	}
	var body map[string]any
	json.Unmarshal(raw, &body)
	for k := range body {
		a.keys = append(a.keys, k)
	}
	slices.Sort(a.headers)
	slices.Sort(a.keys)
	return a
}

func median(ds []time.Duration) time.Duration {
	ds = slices.Clone(ds)
	slices.Sort(ds)
	return ds[len(ds)/2]
}

// Invariant 6: "send me a code" answers the same, in shape and in time,
// whether or not the address has an account, with sign-up open or closed.
func TestSignInDoesNotRevealAccounts(t *testing.T) {
	for _, signUp := range []bool{true, false} {
		t.Run(fmt.Sprintf("sign_up=%v", signUp), func(t *testing.T) {
			conf := filepath.Join(t.TempDir(), "otpd.toml")
			os.WriteFile(conf, fmt.Appendf(nil, "sign_up = %v\n[limits]\ncodes_per_hour = 1000\ncodes_per_day = 1000\ncodes_per_ip_per_hour = 0\ncodes_per_network_per_hour = 0\n", signUp), 0o600)
			// The known account is made with sign-up open; a second
			// server on the same data directory then answers.
			open := startServer(t, nil)
			open.signIn(t, "known@example.com")
			s := startServer(t, nil, "--config", conf, "--data", open.dir)

			const n = 30
			var known, unknown []time.Duration
			var ref answer
			for i := range n {
				k := observe(t, s.url, "known@example.com")
				u := observe(t, s.url, fmt.Sprintf("nobody%d@example.com", i))
				if i == 0 {
					ref = k
				}
				for _, a := range []answer{k, u} {
					if a.status != 202 || !slices.Equal(a.headers, ref.headers) || !slices.Equal(a.keys, ref.keys) {
						t.Fatalf("answers differ: known %+v, unknown %+v", k, u)
					}
				}
				known, unknown = append(known, k.took), append(unknown, u.took)
			}
			mk, mu := median(known), median(unknown)
			// A generous bound: it catches a path that skips the store
			// (several times faster), not scheduling noise.
			if mk > 3*mu+5*time.Millisecond || mu > 3*mk+5*time.Millisecond {
				t.Errorf("median time known %v, unknown %v", mk, mu)
			}
		})
	}
}

// The other requests that name an address answer alike for known and
// unknown ones too: a resend, forgot-password, and a password sign-in (an
// address without a password, or without an account, checks a dummy
// hash).
func TestOtherRequestsDoNotRevealAccounts(t *testing.T) {
	conf := filepath.Join(t.TempDir(), "otpd.toml")
	os.WriteFile(conf, []byte("[limits]\ncodes_per_hour = 1000\ncodes_per_day = 1000\nresend_cooldown = \"0s\"\n"+
		"codes_per_ip_per_hour = 0\ncodes_per_network_per_hour = 0\npasswords_per_ip_per_hour = 0\n"+
		"passwords_per_network_per_hour = 0\nwrong_codes_per_account = 1000\nlockout_after = 100\n"+
		"failed_guesses_per_hour = 0\nflood_networks = 0\n"), 0o600)
	s := startServer(t, nil, "--config", conf)
	s.signIn(t, "known@example.com")
	flow := func(email string) string {
		f, err := s.client().SignIn(ctx, email)
		if err != nil {
			t.Fatal(err)
		}
		return f.FlowID
	}
	knownFlow, unknownFlow := flow("known@example.com"), flow("nobody@example.com")
	for _, tc := range []struct {
		name           string
		known, unknown func() answer
		status         int
	}{
		{"resend", func() answer { return observePost(t, s.url+"/api/v1/flows/"+knownFlow+"/resend", "{}") },
			func() answer { return observePost(t, s.url+"/api/v1/flows/"+unknownFlow+"/resend", "{}") }, 202},
		{"forgot", func() answer { return observePost(t, s.url+"/api/v1/password/forgot", `{"email":"known@example.com"}`) },
			func() answer {
				return observePost(t, s.url+"/api/v1/password/forgot", `{"email":"nobody@example.com"}`)
			}, 202},
		{"password", func() answer {
			return observePost(t, s.url+"/api/v1/sign-in/password", `{"email":"known@example.com","password":"a guess at the password"}`)
		}, func() answer {
			return observePost(t, s.url+"/api/v1/sign-in/password", `{"email":"nobody@example.com","password":"a guess at the password"}`)
		}, 401},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const n = 20
			var known, unknown []time.Duration
			for range n {
				k, u := tc.known(), tc.unknown()
				if k.status != tc.status || u.status != k.status || !slices.Equal(k.headers, u.headers) || !slices.Equal(k.keys, u.keys) {
					t.Fatalf("answers differ: known %+v, unknown %+v", k, u)
				}
				known, unknown = append(known, k.took), append(unknown, u.took)
			}
			mk, mu := median(known), median(unknown)
			if mk > 3*mu+5*time.Millisecond || mu > 3*mk+5*time.Millisecond {
				t.Errorf("median time known %v, unknown %v", mk, mu)
			}
		})
	}
}
