package main

import (
	"cmp"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// runName splits a result file's name, such as closed-otpd-2.json, into
// its scenario ("closed-otpd") and run number.
var runName = regexp.MustCompile(`^(.+)-(\d+)\.json$`)

const summaryUsage = `Usage: otpd-load summary FILE.json...

Prints the median of each scenario's runs, from files named SCENARIO-RUN.json
that otpd-load --json wrote (see .bench/run).
`

// summaryCommand prints, for each scenario among files, the median of its
// runs: what BENCHMARKS.md's table holds (.bench/run writes the files).
func summaryCommand(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprint(stderr, summaryUsage)
		if len(args) == 0 {
			return errors.New("summary: name the result files")
		}
		return flag.ErrHelp
	}
	groups := map[string][]result{}
	for _, path := range args {
		m := runName.FindStringSubmatch(filepath.Base(path))
		if m == nil {
			return fmt.Errorf("summary: %s: want a name like closed-otpd-1.json", path)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("summary: %w", err)
		}
		var r result
		if err := json.Unmarshal(b, &r); err != nil {
			return fmt.Errorf("summary: %s: %w", path, err)
		}
		groups[m[1]] = append(groups[m[1]], r)
	}
	fmt.Fprintf(stdout, "%-14s %4s %9s %7s %8s %8s %8s %8s %8s %7s\n", "scenario", "runs", "flows/s",
		"errors", "req p99", "ver p99", "flow p50", "flow p99", "rss MiB", "idle")
	for _, name := range slices.Sorted(maps.Keys(groups)) {
		rs := groups[name]
		errs := 0
		for _, r := range rs {
			errs += r.Errors
		}
		fmt.Fprintf(stdout, "%-14s %4d %9.1f %7d %8.2f %8.2f %8.2f %8.2f %8s %7s\n", name, len(rs),
			median(rs, func(r result) float64 { return r.FlowsPerSec }), errs,
			median(rs, step(stepRequest)), median(rs, step(stepVerify)),
			median(rs, func(r result) float64 { return r.P50 }), median(rs, func(r result) float64 { return r.P99 }),
			mib(rs, func(r result) *float64 { return r.ServerRSS }), mib(rs, func(r result) *float64 { return r.ServerIdleRSS }))
	}
	return nil
}

func step(name string) func(result) float64 {
	return func(r result) float64 { return r.PerStep[name].P99 }
}

// median is the middle run's figure; of an even number, the mean of the
// two middle ones.
func median(rs []result, f func(result) float64) float64 {
	xs := make([]float64, len(rs))
	for i, r := range rs {
		xs[i] = f(r)
	}
	slices.SortFunc(xs, cmp.Compare)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}

// mib is the median of a memory figure, or "-" when the runs lack it.
func mib(rs []result, f func(result) *float64) string {
	var have []result
	for _, r := range rs {
		if f(r) != nil {
			have = append(have, r)
		}
	}
	if len(have) == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f", median(have, func(r result) float64 { return *f(r) }))
}
