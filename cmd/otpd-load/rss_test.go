package main

import (
	"os"
	"strings"
	"testing"
)

func TestParseStatus(t *testing.T) {
	status := "Name:\totpd\nVmPeak:\t 1300000 kB\nVmHWM:\t   47104 kB\nVmRSS:\t   23552 kB\nThreads:\t7\n"
	m, err := parseStatus(strings.NewReader(status))
	if err != nil || m.RSS != 23 || m.HWM != 46 {
		t.Errorf("parseStatus = %+v, %v; want RSS 23, HWM 46 MiB", m, err)
	}
	if _, err := parseStatus(strings.NewReader("Name:\tkthreadd\nThreads:\t1\n")); err == nil {
		t.Error("a status without VmRSS parsed")
	}
	if _, err := parseStatus(strings.NewReader("VmHWM:\tlots kB\nVmRSS:\t1 kB\n")); err == nil {
		t.Error("a malformed VmHWM parsed")
	}
}

func TestReadOwnMemory(t *testing.T) {
	m, err := readMemory(os.Getpid())
	if err != nil {
		t.Skipf("no /proc here: %v", err)
	}
	if m.RSS <= 0 || m.HWM < m.RSS {
		t.Errorf("own memory %+v: want 0 < RSS <= HWM", m)
	}
}
