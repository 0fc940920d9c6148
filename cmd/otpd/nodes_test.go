package main

import (
	"bytes"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/otpd/otpd/client"
	"github.com/otpd/otpd/postgres/pgtest"
	"github.com/otpd/otpd/smtptest"
)

// Two servers over one PostgreSQL and one Redis act as one: a code sent
// by one verifies on the other, and a client's limit is counted once.
func TestTwoNodesShareState(t *testing.T) {
	_, dsn := pgtest.Schema(t)
	redis := redisURL(t)
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

// redisURL names the Redis server of the multi-node tests, from
// OTPD_TEST_REDIS. Without it they skip, unless OTPD_REQUIRE_SERVICES=1
// says a skip would hide a gap.
func redisURL(t *testing.T) string {
	t.Helper()
	redis := os.Getenv("OTPD_TEST_REDIS")
	if redis == "" {
		if os.Getenv("OTPD_REQUIRE_SERVICES") == "1" {
			t.Fatal("OTPD_TEST_REDIS is not set, and OTPD_REQUIRE_SERVICES=1 requires a Redis server")
		}
		t.Skip("OTPD_TEST_REDIS is not set; skipping the multi-node test")
	}
	return redis
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

// Three otpd processes over one PostgreSQL and one Redis hold every limit
// as one server would, whichever node each request reaches: a race of
// right codes makes one session; a thousand wrong guesses on one code
// are evaluated exactly as far as the code's tries, and on the next code
// as far as the account's budget, which also locks the unfamiliar device
// out; an address gets no more codes an hour than its cap; and every
// message reaches the relay once.
func TestThreeNodes(t *testing.T) {
	_, dsn := pgtest.Schema(t)
	sink := smtptest.Start(t)
	env := smtpEnv(sink)
	env["OTPD_DATABASE"], env["OTPD_REDIS"] = dsn, redisURL(t)
	env["OTPD_TRUSTED_PROXIES"] = "127.0.0.1"
	env["OTPD_LOG_LEVEL"] = "warn"
	// The account's budget (7) is below two codes' tries (2 x 5), and an
	// unfamiliar device is locked out only past 6 failures, so that the
	// first flood meets the code's limit and the second the budget.
	env["OTPD_LIMITS_WRONG_CODES_PER_ACCOUNT"] = "7"
	env["OTPD_LIMITS_LOCKOUT_AFTER"] = "6"
	// The service-wide budget of failed guesses lives in the shared Redis
	// beyond this run, where other runs' guesses would count.
	env["OTPD_LIMITS_FAILED_GUESSES_PER_HOUR"] = "0"
	nodes := []*child{startChild(t, env)}
	for range 2 {
		nodes = append(nodes, startChild(t, env, "--data", nodes[0].dir)) // the same secrets
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	on := func(i int) *client.Client {
		c := nodes[i%len(nodes)].client()
		c.HTTP = &http.Client{Transport: floodTransport, Timeout: time.Minute}
		return c
	}
	// One person asks for ada's codes, from one address (several
	// networks would be a flood against the account, whose codes are
	// then held back); limits outlive the run in Redis, so it is new.
	const ada = "ada@example.com"
	adaIP := randomIP()
	codeOf := func(node, nth int) (flowID, code string) {
		t.Helper()
		c := nodes[node].client()
		c.HTTP = &http.Client{Transport: forwardedFor{adaIP}}
		f, err := c.SignIn(ctx, ada)
		if err != nil {
			t.Fatal(err)
		}
		return f.FlowID, sinkCode(t, sink, ada, nth)
	}

	flow, code := codeOf(0, 1)
	if _, err := on(1).Verify(ctx, flow, code); err != nil {
		t.Fatalf("a code sent by node 0 does not verify on node 1: %v", err)
	}

	flow, code = codeOf(2, 2)
	answers := flood(100, func(i int) error { _, err := on(i).Verify(ctx, flow, code); return err })
	if answers["ok"] != 1 || answers["code_expired"] != 99 {
		t.Errorf("100 right codes across the nodes: %v, want one sign-in and 99 code_expired", answers)
	}
	if n := count(t, db, `SELECT count(*) FROM sessions`); n != 2 {
		t.Errorf("%d sessions, want 2: the sign-up's and one from the race", n)
	}

	flow, code = codeOf(0, 3)
	wrong := wrongCode(code)
	answers = flood(1000, func(i int) error { _, err := on(i).Verify(ctx, flow, wrong); return err })
	if answers["invalid_code"] != 4 || answers["too_many_attempts"] != 996 {
		t.Errorf("1000 wrong codes: %v, want 4 invalid_code, then the fifth and the rest too_many_attempts", answers)
	}
	wantEvents(t, db, flow, map[string]int{"code_wrong": 5, "code_exhausted": 995})

	flow, code = codeOf(1, 4)
	wrong = wrongCode(code)
	answers = flood(1000, func(i int) error { _, err := on(i).Verify(ctx, flow, wrong); return err })
	if answers["invalid_code"] != 1 || answers["too_many_attempts"] != 999 {
		t.Errorf("1000 wrong codes on a new code: %v, want 1 invalid_code and 999 too_many_attempts", answers)
	}
	wantEvents(t, db, flow, map[string]int{"code_wrong": 2, "locked_out": 1, "code_locked": 998})

	// One sender bombing bob's inbox, from one address.
	bobIP := randomIP()
	answers = flood(30, func(i int) error {
		c := nodes[i%len(nodes)].client()
		c.HTTP = &http.Client{Transport: forwardedFor{bobIP}}
		_, err := c.SignIn(ctx, "bob@example.com")
		return err
	})
	if answers["ok"] != 5 || answers["rate_limited"] != 25 {
		t.Errorf("30 code requests for one address across the nodes: %v, want 5 and 25 rate_limited", answers)
	}
	if n := count(t, db, `SELECT count(*) FROM events WHERE email_key = 'bob@example.com' AND type = 'code_requested'`); n != 5 {
		t.Errorf("%d codes requested for bob recorded, want 5", n)
	}

	deliveredOnce(t, db, sink)
	if n := count(t, db, `SELECT count(*) FROM outbox WHERE kind = 'code'`); n != 9 {
		t.Errorf("%d code messages, want 9: ada's 4 and bob's 5", n)
	}
}

// floodTransport bounds the connections to each node, so that a thousand
// requests at once do not drown a small machine in sockets; each node
// still has dozens in flight.
var floodTransport = &http.Transport{MaxConnsPerHost: 32, MaxIdleConnsPerHost: 32}

// flood runs f(i) for i in [0, n) at once and counts the answers: "ok",
// or the error code of the API's answer.
func flood(n int, f func(i int) error) map[string]int {
	answers := make(chan string, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			err := f(i)
			var e *client.Error
			switch {
			case err == nil:
				answers <- "ok"
			case errors.As(err, &e):
				answers <- e.Code
			default:
				answers <- err.Error()
			}
		})
	}
	close(start)
	wg.Wait()
	close(answers)
	count := map[string]int{}
	for a := range answers {
		count[a]++
	}
	return count
}

// sinkCode waits for the nth message with a code that the relay receives
// for to, and reads its code.
func sinkCode(t *testing.T, sink *smtptest.Server, to string, nth int) string {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		var codes []string
		for _, m := range sink.Messages() {
			if m.To[0] != to {
				continue
			}
			_, text, _ := parts(t, m.Data)
			if c := grouped.FindStringSubmatch(text); c != nil {
				codes = append(codes, strings.ReplaceAll(c[1], " ", ""))
			}
		}
		if len(codes) >= nth {
			return codes[nth-1]
		}
	}
	t.Fatalf("code message %d to %s did not arrive", nth, to)
	return ""
}

func wrongCode(right string) string {
	if right == "000000000" {
		return "000000001"
	}
	return "000000000"
}

func count(t *testing.T, db *sql.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRowContext(ctx, query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// wantEvents checks the store's events of a flow: exactly want of each
// type named, as the evidence of how many guesses were evaluated.
func wantEvents(t *testing.T, db *sql.DB, flowID string, want map[string]int) {
	t.Helper()
	for typ, n := range want {
		if got := count(t, db, `SELECT count(*) FROM events WHERE flow_id = $1 AND type = $2`, flowID, typ); got != n {
			t.Errorf("%d %s events for the flow, want %d", got, typ, n)
		}
	}
}

// deliveredOnce waits until the outbox has no queued message and checks
// that the relay received each message the outbox sent exactly once, by
// Message-ID, and nothing else.
func deliveredOnce(t *testing.T, db *sql.DB, sink *smtptest.Server) {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); count(t, db, `SELECT count(*) FROM outbox WHERE state = 'queued'`) > 0; {
		if time.Now().After(deadline) {
			t.Fatal("the outbox still has queued messages")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if n := count(t, db, `SELECT count(*) FROM outbox WHERE state <> 'sent'`); n != 0 {
		t.Errorf("%d messages were not sent", n)
	}
	rows, err := db.QueryContext(ctx, `SELECT message_id FROM outbox`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	sent := map[string]int{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		sent[id] = 0
	}
	for _, m := range sink.Messages() {
		h, _, _ := parts(t, m.Data)
		id := h.Get("Message-Id")
		if _, ok := sent[id]; !ok {
			t.Errorf("the relay received %s, which the outbox did not send", id)
		}
		sent[id]++
	}
	for id, times := range sent {
		if times != 1 {
			t.Errorf("message %s reached the relay %d times, want once", id, times)
		}
	}
}
