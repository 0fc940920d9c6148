package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// memory is what the kernel says about a process's resident memory, in
// MiB: VmRSS now and VmHWM, the peak since it started.
type memory struct {
	RSS, HWM float64
}

// readMemory reads /proc/PID/status.
func readMemory(pid int) (memory, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return memory{}, fmt.Errorf("server memory: %w", err)
	}
	defer f.Close()
	return parseStatus(f)
}

// parseStatus reads the VmRSS and VmHWM lines ("VmRSS:	   23456 kB").
func parseStatus(r io.Reader) (memory, error) {
	var m memory
	var seen int
	lines := bufio.NewScanner(r)
	for lines.Scan() {
		key, rest, ok := strings.Cut(lines.Text(), ":")
		if !ok || (key != "VmRSS" && key != "VmHWM") {
			continue
		}
		kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
		if err != nil {
			return memory{}, fmt.Errorf("server memory: %s: %q", key, rest)
		}
		seen++
		if key == "VmRSS" {
			m.RSS = kb / 1024
		} else {
			m.HWM = kb / 1024
		}
	}
	if err := lines.Err(); err != nil {
		return memory{}, fmt.Errorf("server memory: %w", err)
	}
	if seen != 2 {
		return memory{}, fmt.Errorf("server memory: no VmRSS and VmHWM in status (a kernel thread?)")
	}
	return m, nil
}

// rssSampler keeps the highest VmRSS seen while the load runs: VmHWM
// alone would also count start-up and earlier runs against the same
// process.
type rssSampler struct {
	pid  int
	mu   sync.Mutex
	peak float64
	err  error
}

// run samples every interval until ctx is done.
func (s *rssSampler) run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		s.sample()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (s *rssSampler) sample() {
	m, err := readMemory(s.pid)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		s.err = err
		return
	}
	s.peak = max(s.peak, m.RSS)
}

func (s *rssSampler) result() (float64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.peak, s.err
}
