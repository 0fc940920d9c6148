package main

import (
	"bytes"
	"database/sql"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"strings"
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

// With no relay, the dev mailbox lives in the shared database: a code
// node A sent shows in node B's mailbox, page and API, and verifies there;
// and the table never holds the code in clear.
func TestDevMailboxAcrossNodes(t *testing.T) {
	_, dsn := pgtest.Schema(t)
	env := map[string]string{"OTPD_DATABASE": dsn}
	a := startServer(t, env)
	b := startServer(t, env, "--data", a.dir) // the same secret, as a deployment shares it
	f, err := a.client().SignIn(ctx, "ada@example.com")
	if err != nil {
		t.Fatal(err)
	}
	code := b.code(t, "ada@example.com", 0)
	grouped := code[:3] + " " + code[3:6] + " " + code[6:]
	resp, err := http.Get(b.url + "/dev/mailbox?to=ada@example.com")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(page), grouped) {
		t.Errorf("node B's mailbox page does not show node A's code")
	}
	if _, err := b.client().Verify(ctx, f.FlowID, code); err != nil {
		t.Errorf("the code from node B's mailbox: %v", err)
	}

	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `SELECT message_id, to_addr, to_key, sealed FROM dev_messages`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var id, to, key string
		var sealed []byte
		if err := rows.Scan(&id, &to, &key, &sealed); err != nil {
			t.Fatal(err)
		}
		n++
		for _, clear := range []string{code, grouped} {
			if bytes.Contains(sealed, []byte(clear)) || strings.Contains(id+to+key, clear) {
				t.Errorf("the dev mailbox row %s holds the code in clear", id)
			}
		}
	}
	if err := rows.Err(); err != nil || n != 1 {
		t.Errorf("%d dev mailbox rows, %v; want the one message", n, err)
	}
}
