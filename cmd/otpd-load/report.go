package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
)

// result is one run's outcome; --json prints it as it is.
type result struct {
	Target      string  `json:"target"`
	Server      string  `json:"server"` // "otpd" or "floor"
	Loop        string  `json:"loop"`   // "closed, 8 at a time" or "open, 500/s"
	Flows       int     `json:"flows"`
	Seconds     float64 `json:"seconds"`
	FlowsPerSec float64 `json:"flows_per_sec"`
	// P50 to P99 are the whole flow's, from when it was due to start.
	P50          float64            `json:"p50_ms"`
	P95          float64            `json:"p95_ms"`
	P99          float64            `json:"p99_ms"`
	Errors       int                `json:"errors"`
	ErrorsByKind map[string]int     `json:"errors_by_kind"`
	PerStep      map[string]latency `json:"per_step"`
	// ServerRSS is the highest VmRSS sampled during the run, ServerIdleRSS
	// the VmRSS before any load, and ServerHWM the process's peak VmRSS
	// since it started; all null without --server-pid.
	ServerRSS     *float64 `json:"server_rss_mib"`
	ServerIdleRSS *float64 `json:"server_idle_rss_mib"`
	ServerHWM     *float64 `json:"server_hwm_mib"`
	MailboxPolls  int      `json:"mailbox_polls,omitempty"`
	SinkMessages  int      `json:"sink_messages,omitempty"`
}

func (res result) writeJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(res)
}

// stepOrder is the order steps are shown in; the floor has no read or me.
var stepOrder = []string{stepRequest, stepRead, stepVerify, stepMe, stepFlow}

// writeTable prints the result for a person.
func (res result) writeTable(out io.Writer) error {
	w := &bytes.Buffer{}
	fmt.Fprintf(w, "otpd-load: %s at %s, %s\n\n", res.Server, res.Target, res.Loop)
	fmt.Fprintf(w, "%d flows in %.2f s: %.1f sign-ins/s, %d errors\n\n", res.Flows, res.Seconds, res.FlowsPerSec, res.Errors)
	fmt.Fprintf(w, "%-8s %8s %8s %8s %8s %8s\n", "step", "count", "p50 ms", "p95 ms", "p99 ms", "max ms")
	for _, name := range stepOrder {
		if l, ok := res.PerStep[name]; ok {
			fmt.Fprintf(w, "%-8s %8d %8.2f %8.2f %8.2f %8.2f\n", name, l.Count, l.P50, l.P95, l.P99, l.Max)
		}
	}
	if res.Errors > 0 {
		fmt.Fprintln(w, "\nerrors by kind:")
		for _, kind := range slices.Sorted(maps.Keys(res.ErrorsByKind)) {
			fmt.Fprintf(w, "  %6d  %s\n", res.ErrorsByKind[kind], kind)
		}
	}
	var extra []string
	if res.ServerRSS != nil {
		extra = append(extra, fmt.Sprintf("server memory: %.1f MiB idle, %.1f MiB peak under load (VmHWM %.1f MiB)",
			*res.ServerIdleRSS, *res.ServerRSS, *res.ServerHWM))
	}
	if res.MailboxPolls > 0 && res.Flows > 0 {
		extra = append(extra, fmt.Sprintf("dev mailbox: %d reads, %.1f per flow", res.MailboxPolls, float64(res.MailboxPolls)/float64(res.Flows)))
	}
	if res.SinkMessages > 0 {
		extra = append(extra, fmt.Sprintf("smtp sink: %d signed messages, %.1f/s", res.SinkMessages, float64(res.SinkMessages)/res.Seconds))
	}
	if len(extra) > 0 {
		fmt.Fprintf(w, "\n%s\n", strings.Join(extra, "\n"))
	}
	_, err := out.Write(w.Bytes())
	return err
}
