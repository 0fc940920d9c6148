package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The summary takes each scenario's median run, not its mean or its last.
func TestSummaryMedians(t *testing.T) {
	dir := t.TempDir()
	for i, fps := range []float64{300, 100, 200} {
		r := sampleResult()
		r.FlowsPerSec = fps
		r.Errors = i
		var b bytes.Buffer
		if err := r.writeJSON(&b); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "closed-otpd-"+string(rune('1'+i))+".json"), b.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	var out, errOut bytes.Buffer
	if err := run(t.Context(), append([]string{"summary"}, files...), &out, &errOut); err != nil {
		t.Fatalf("summary: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("summary printed %d lines, want a header and one scenario:\n%s", len(lines), out.String())
	}
	if f := strings.Fields(lines[1]); len(f) < 4 || f[0] != "closed-otpd" || f[1] != "3" || f[2] != "200.0" || f[3] != "3" {
		t.Errorf("scenario line %q: want closed-otpd, 3 runs, 200.0 flows/s (the median), 3 errors (the sum)", lines[1])
	}
}

func TestSummaryRefusesOtherNames(t *testing.T) {
	path := filepath.Join(t.TempDir(), "results.json")
	if err := os.WriteFile(path, []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	err := run(t.Context(), []string{"summary", path}, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "closed-otpd-1.json") {
		t.Errorf("summary of results.json: %v; want an error naming the expected form", err)
	}
}
