package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// Forged messages people check are kept, sealed, for the operator, at
// most a few per network; otpd inspect --reports counts them by the
// domains they claim and the hosts they link to. A genuine message is
// not reported.
func TestForgeryReports(t *testing.T) {
	sink, env := smtpSink(t)
	env = trustedEnv(env)
	s := startServer(t, env)
	raw := sendOne(t, s, sink)
	forged := func(host string) []byte {
		return []byte("Received: from mx.bad.example (mx.bad.example [192.0.2.66])\r\n" +
			"From: Example Accounts <accounts@examp1e.com>\r\nSubject: Your sign-in code\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
			"Use this code: 123 456 789\r\nThis wasn't me: https://" + host + "/deny/x\r\n")
	}
	for i := range 3 {
		status, body := call(t, s, fmt.Sprintf("198.51.%d.1", i), "POST", "/api/v1/check/message", "message/rfc822", forged("login-example.net"))
		if status != 200 || !strings.Contains(body, "not_from_us") {
			t.Fatalf("%d %s", status, body)
		}
	}
	// One network reports at most five in a day, however many it checks.
	for range 8 {
		call(t, s, "203.0.113.7", "POST", "/api/v1/check/message", "message/rfc822", forged("evil.example"))
	}
	if status, _ := call(t, s, "198.51.50.1", "POST", "/api/v1/check/message", "message/rfc822", raw); status != 200 {
		t.Fatalf("genuine: %d", status)
	}
	out, _, err := runCmd(t, withEnv(env, "OTPD_PUBLIC_URL", s.url), "inspect", "--reports", "--json", "--data", s.dir)
	if err != nil {
		t.Fatal(err)
	}
	var sum struct {
		Reports     int `json:"reports"`
		FromDomains []struct {
			Name  string
			Count int
		} `json:"from_domains"`
		LinkHosts []struct {
			Name  string
			Count int
		} `json:"link_hosts"`
		Received []struct{ Name string } `json:"received"`
	}
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if sum.Reports != 8 || len(sum.FromDomains) != 1 || sum.FromDomains[0].Name != "examp1e.com" ||
		len(sum.LinkHosts) != 2 || sum.LinkHosts[0].Name != "evil.example" || sum.LinkHosts[0].Count != 5 ||
		sum.LinkHosts[1].Count != 3 || len(sum.Received) != 1 || sum.Received[0].Name != "mx.bad.example" {
		t.Errorf("reports:\n%s", out)
	}
	out, _, err = runCmd(t, withEnv(env, "OTPD_PUBLIC_URL", s.url), "inspect", "--reports", "--data", s.dir)
	if err != nil || !strings.Contains(out, "8 forgery reports") || !strings.Contains(out, "5  evil.example") {
		t.Errorf("inspect --reports: %v\n%s", err, out)
	}
}
