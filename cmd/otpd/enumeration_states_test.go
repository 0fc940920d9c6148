package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/otpd/otpd/client"
)

// seen is what an attacker observes of one answer: everything but its
// timing (compared elsewhere) and the values that differ between any two
// requests (IDs, times).
type seen struct {
	Status       int
	Code, Field  string
	AttemptsLeft any
	RetryAfter   bool
	Headers      string
	Keys         string
}

func (o seen) String() string {
	return fmt.Sprintf("%d %s %s left=%v retry=%v [%s] {%s}", o.Status, o.Code, o.Field, o.AttemptsLeft, o.RetryAfter, o.Headers, o.Keys)
}

// attacker posts JSON as a client behind the trusted proxy at ip.
type attacker struct {
	t   *testing.T
	url string
	ip  string
}

func (a attacker) post(path, body string) (seen, map[string]any) {
	a.t.Helper()
	req, _ := http.NewRequest("POST", a.url+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Forwarded-For", a.ip)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var out map[string]any
	json.Unmarshal(raw, &out)
	o := seen{Status: resp.StatusCode, RetryAfter: resp.Header.Get("Retry-After") != ""}
	var hs, ks []string
	for k := range resp.Header {
		if k != "Date" && k != "Content-Length" && k != "Retry-After" {
			hs = append(hs, k)
		}
	}
	for k := range out {
		ks = append(ks, k)
	}
	if e, ok := out["error"].(map[string]any); ok {
		o.Code, _ = e["code"].(string)
		o.Field, _ = e["field"].(string)
		o.AttemptsLeft = e["attempts_left"]
		for k := range e {
			ks = append(ks, "error."+k)
		}
	}
	slices.Sort(hs)
	slices.Sort(ks)
	o.Headers, o.Keys = strings.Join(hs, ","), strings.Join(ks, ",")
	return o, out
}

// script is what an attacker who knows only an address can do with it:
// every entry point that asks for a code or checks an address, in one
// sequence that runs into the cooldown, wrong-code counts and the send
// caps. It returns what each step answered.
func (a attacker) script(email string) []seen {
	a.t.Helper()
	var got []seen
	step := func(path, body string) map[string]any {
		o, out := a.post(path, body)
		got = append(got, o)
		return out
	}
	flowOf := func(out map[string]any) string { id, _ := out["flow_id"].(string); return id }
	addr := `{"email":"` + email + `"}`
	signIn := flowOf(step("/api/v1/sign-in", addr))
	step("/api/v1/flows/"+signIn+"/resend", "{}")
	step("/api/v1/flows/"+signIn+"/factor", `{"method":"totp","code":"123456"}`)
	for range 2 {
		step("/api/v1/flows/"+signIn+"/verify", `{"code":"000000000"}`)
	}
	reset := flowOf(step("/api/v1/password/forgot", addr))
	step("/api/v1/password/reset", `{"flow_id":"`+reset+`","code":"000000000","password":"`+goodPassword+`"}`)
	step("/api/v1/sign-in/password", `{"email":"`+email+`","password":"a guess at the password"}`)
	step("/api/v1/sign-in", `{"email":"`+email+`","send_to":"recovery"}`)
	for range 4 {
		step("/api/v1/sign-in", addr)
	}
	step("/api/v1/flows/"+signIn+"/verify", `{"code":"000000000"}`)
	// Whoever holds the newest message to the address checks its
	// reference: the answer must not tell whether the address has an
	// account, beyond what the message says.
	step("/api/v1/check/reference", `{"reference":"`+a.newestRef(email)+`"}`)
	return got
}

// newestRef is the reference of the newest message to email in the dev
// mailbox, as its holder reads it.
func (a attacker) newestRef(email string) string {
	a.t.Helper()
	msgs, err := client.New(a.url).DevMessages(context.Background(), email)
	if err != nil {
		a.t.Fatal(err)
	}
	for _, m := range msgs {
		if r := refLine.FindStringSubmatch(m.Text); r != nil {
			return r[1]
		}
	}
	a.t.Fatalf("no message to %s carries a reference", email)
	return ""
}

// Invariant 6, over every address state an attacker may meet: an account
// (with or without a password, with code-only sign-in off, disabled by an
// administrator), an address
// without one, each also locked out by earlier wrong passwords or under a
// flood of requests from three networks, with sign-up open and closed.
// Every entry point must answer each of them as it answers an address
// without an account that saw the same requests.
func TestEveryAddressStateAnswersAlike(t *testing.T) {
	conf := filepath.Join(t.TempDir(), "otpd.toml")
	base := "trusted_proxies = [\"127.0.0.1/32\"]\n[limits]\nlockout_backoff = \"10m\"\ncodes_per_ip_per_hour = 0\ncodes_per_network_per_hour = 0\n"
	os.WriteFile(conf, []byte(base), 0o600)
	open := startServer(t, nil, "--config", conf)

	states := []struct {
		name  string
		setUp func(email string)
	}{
		{"unknown", func(email string) { signInFrom(t, open, email, "") }},
		{"account", func(email string) { open.signIn(t, email) }},
		{"password", func(email string) { open.owner(t, email, "") }},
		{"code-only off", func(email string) {
			if err := open.owner(t, email, "").SetCodeSignIn(ctx, false); err != nil {
				t.Fatal(err)
			}
		}},
		// An administrator disabled it: its owner is mailed so, and
		// nobody else learns it.
		{"disabled", func(email string) {
			open.owner(t, email, "")
			if _, _, err := open.admin(t, "accounts", "disable", email); err != nil {
				t.Fatal(err)
			}
		}},
	}
	preludes := []struct {
		name string
		run  func(s *server, email string, n int)
	}{
		{"", func(*server, string, int) {}},
		{"locked out", func(s *server, email string, n int) {
			for i := range 4 {
				attacker{t, s.url, fmt.Sprintf("198.18.%d.%d", n, 10+i)}.post("/api/v1/sign-in/password",
					`{"email":"`+email+`","password":"a guess at the password"}`)
			}
		}},
		{"flooded", func(s *server, email string, n int) {
			for i := range 3 {
				signInFrom(t, s, email, fmt.Sprintf("198.%d.%d.9", 19+i, n))
			}
		}},
	}
	// Each address is set up on the server with sign-up open; closed
	// is a second server on the same data.
	type run struct{ state, prelude, email string }
	var runs []run
	for _, p := range preludes {
		for _, st := range states {
			for _, mode := range []string{"open", "closed"} {
				email := strings.NewReplacer(" ", "-").Replace(fmt.Sprintf("%s-%s-%s@example.com", st.name, p.name, mode))
				st.setUp(email)
				runs = append(runs, run{st.name, p.name, email})
			}
		}
	}
	closedConf := filepath.Join(t.TempDir(), "closed.toml")
	os.WriteFile(closedConf, []byte("sign_up = false\n"+base), 0o600)
	closed := startServer(t, nil, "--config", closedConf, "--data", open.dir)

	want := map[string][]seen{}
	for i, r := range runs {
		s, mode := open, "open"
		if strings.HasSuffix(r.email, "-closed@example.com") {
			s, mode = closed, "closed"
		}
		for _, p := range preludes {
			if p.name == r.prelude {
				p.run(s, r.email, i)
			}
		}
		got := attacker{t, s.url, fmt.Sprintf("198.51.%d.7", i)}.script(r.email)
		key := mode + "/" + r.prelude
		if r.state == "unknown" {
			want[key] = got
			continue
		}
		if !slices.Equal(got, want[key]) {
			t.Errorf("sign-up %s, %q, %s: answers differ from an unknown address's\n%s", mode, r.prelude, r.state, diff(got, want[key]))
		}
	}
	if t.Failed() {
		return
	}
	for key, w := range want {
		var codes []string
		for _, o := range w {
			codes = append(codes, fmt.Sprint(o.Status, " ", o.Code))
		}
		t.Logf("%s: %s", key, strings.Join(codes, ", "))
	}
}

func diff(got, want []seen) string {
	var b strings.Builder
	for i := range max(len(got), len(want)) {
		var g, w seen
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		mark := "  "
		if g != w {
			mark = "≠ "
		}
		fmt.Fprintf(&b, "%sstep %d: got %v\n            want %v\n", mark, i+1, g, w)
	}
	return b.String()
}
