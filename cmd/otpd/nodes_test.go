package main

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/otpd/otpd/postgres/pgtest"
	"github.com/otpd/otpd/smtptest"
)

// Two servers over one PostgreSQL and one Redis act as one: a code sent
// by one verifies on the other, and a client's limit is counted once.
func TestTwoNodesShareState(t *testing.T) {
	_, dsn := pgtest.Schema(t)
	redis := os.Getenv("OTPD_TEST_REDIS")
	if redis == "" {
		if os.Getenv("OTPD_REQUIRE_SERVICES") == "1" {
			t.Fatal("OTPD_TEST_REDIS is not set, and OTPD_REQUIRE_SERVICES=1 requires a Redis server")
		}
		t.Skip("OTPD_TEST_REDIS is not set; skipping the two-node test")
	}
	sink := smtptest.Start(t)
	env := smtpEnv(sink)
	env["OTPD_DATABASE"] = dsn
	env["OTPD_REDIS"] = redis
	// A per-IP limit unique to this run, so that keys left by other runs
	// in the shared Redis do not count.
	env["OTPD_LIMITS_CODES_PER_IP_PER_HOUR"] = "2"
	env["OTPD_TRUSTED_PROXIES"] = "127.0.0.1"
	env["OTPD_LIMITS_CODES_PER_NETWORK_PER_HOUR"] = "0"
	a := startServer(t, env)
	b := startServer(t, env, "--data", a.dir) // the same secrets, as a deployment shares them
	// Limits live in the shared Redis beyond this run: clients of this run
	// get addresses of their own.
	owner, client := randomIP(), randomIP()
	ca := a.client()
	ca.HTTP = &http.Client{Transport: forwardedFor{owner}}
	f, err := ca.SignIn(ctx, "ada@example.com")
	if err != nil {
		t.Fatal(err)
	}
	got := sink.WaitMessages(1, 10*time.Second)
	_, text, _ := parts(t, got[0].Data)
	code := grouped.FindStringSubmatch(text)[1]
	in, err := b.client().Verify(ctx, f.FlowID, code)
	if err != nil {
		t.Fatalf("a code sent by node A does not verify on node B: %v", err)
	}
	c := a.client()
	c.Token = in.SessionToken
	if _, err := c.Me(ctx); err != nil {
		t.Errorf("a session made on node B is unknown to node A: %v", err)
	}

	for _, s := range []*server{a, b} {
		if resp := signInFrom(t, s, "bob@example.com", client); resp.StatusCode != http.StatusAccepted {
			t.Fatalf("first requests of a client: %d", resp.StatusCode)
		}
	}
	if resp := signInFrom(t, a, "bob@example.com", client); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("the client's third request, after one on each node: %d, want 429", resp.StatusCode)
	}
}

func randomIP() string {
	return fmt.Sprintf("10.%d.%d.%d", rand.IntN(256), rand.IntN(256), 1+rand.IntN(254))
}
