package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func sampleResult() result {
	rss, idle, hwm := 41.5, 22.25, 43.0
	return result{
		Target: "http://127.0.0.1:8080", Server: "otpd", Loop: "open loop at 500/s",
		Flows: 4990, Seconds: 10.02, FlowsPerSec: 498.0, P50: 12.5, P95: 20.25, P99: 31,
		Errors: 10, ErrorsByKind: map[string]int{"verify: 400 invalid_code": 3, "request: 429 rate_limited": 7},
		PerStep: map[string]latency{
			stepRequest: {Count: 5000, P50: 3.5, P95: 6, P99: 9.75, Max: 40},
			stepVerify:  {Count: 4993, P50: 2.5, P95: 5, P99: 8, Max: 30},
			stepFlow:    {Count: 4990, P50: 12.5, P95: 20.25, P99: 31, Max: 80},
		},
		ServerRSS: &rss, ServerIdleRSS: &idle, ServerHWM: &hwm, MailboxPolls: 9980,
	}
}

func TestTable(t *testing.T) {
	var b bytes.Buffer
	if err := sampleResult().writeTable(&b); err != nil {
		t.Fatal(err)
	}
	want := `otpd-load: otpd at http://127.0.0.1:8080, open loop at 500/s

4990 flows in 10.02 s: 498.0 sign-ins/s, 10 errors

step        count   p50 ms   p95 ms   p99 ms   max ms
request      5000     3.50     6.00     9.75    40.00
verify       4993     2.50     5.00     8.00    30.00
flow         4990    12.50    20.25    31.00    80.00

errors by kind:
       7  request: 429 rate_limited
       3  verify: 400 invalid_code

server memory: 22.2 MiB idle, 41.5 MiB peak under load (VmHWM 43.0 MiB)
dev mailbox: 9980 reads, 2.0 per flow
`
	if got := b.String(); got != want {
		t.Errorf("table:\n%s\nwant:\n%s", got, want)
	}
}

func TestJSONHasTheDocumentedKeys(t *testing.T) {
	var b bytes.Buffer
	if err := sampleResult().writeJSON(&b); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"flows_per_sec", "p50_ms", "p95_ms", "p99_ms", "errors", "per_step", "server_rss_mib"} {
		if _, ok := got[key]; !ok {
			t.Errorf("JSON lacks %q:\n%s", key, b.String())
		}
	}
	if got["errors"] != 10.0 || got["server_rss_mib"] != 41.5 {
		t.Errorf("errors %v, server_rss_mib %v", got["errors"], got["server_rss_mib"])
	}
	verify := got["per_step"].(map[string]any)[stepVerify].(map[string]any)
	if verify["p99_ms"] != 8.0 {
		t.Errorf("per_step.verify = %v", verify)
	}
}

func TestJSONWithoutServerPIDHasNullMemory(t *testing.T) {
	res := sampleResult()
	res.ServerRSS, res.ServerIdleRSS, res.ServerHWM = nil, nil, nil
	var b bytes.Buffer
	if err := res.writeJSON(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `"server_rss_mib": null`) {
		t.Errorf("want server_rss_mib null:\n%s", b.String())
	}
	b.Reset()
	if err := res.writeTable(&b); err != nil || strings.Contains(b.String(), "server memory") {
		t.Errorf("table without a pid shows memory (%v):\n%s", err, b.String())
	}
}
