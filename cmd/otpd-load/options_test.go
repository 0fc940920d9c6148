package main

import (
	"errors"
	"flag"
	"io"
	"strings"
	"testing"
	"time"
)

func TestOptionsDefaults(t *testing.T) {
	o, err := parseOptions(nil, io.Discard, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if o.target.String() != "http://127.0.0.1:8080" || o.plan.concurrency != 8 || o.connections != 8 || o.plan.duration != 10*time.Second {
		t.Errorf("defaults: target %s, concurrency %d, connections %d, duration %s", o.target, o.plan.concurrency, o.connections, o.plan.duration)
	}
	o, err = parseOptions([]string{"--rate", "500/s", "--flows", "100"}, io.Discard, io.Discard)
	if err != nil || o.plan.rate != 500 || o.plan.concurrency != 0 || o.connections != 256 || o.plan.flows != 100 {
		t.Errorf("open loop: %+v, %v", o.plan, err)
	}
}

func TestOptionsRefused(t *testing.T) {
	for args, says := range map[string]string{
		"--target http://192.0.2.1:8080":     "loopback only",
		"--rate 500/s --concurrency 4":       "exclude each other",
		"--duration 11m":                     "at most 10m",
		"--duration 0s":                      "more than 0",
		"--flows -1":                         "--flows",
		"--concurrency 16 --accounts 8":      "at least as many --accounts",
		"--floor --smtp-sink 127.0.0.1:2525": "exclude each other",
		"--smtp-sink 0.0.0.0:25":             "loopback",
		"--accounts 2000000":                 "--accounts",
		"--rate fast":                        "--rate",
		"stray":                              "unexpected arguments",
		"--connections 99999":                "--connections",
	} {
		_, err := parseOptions(strings.Fields(args), io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), says) {
			t.Errorf("%s: %v, want an error saying %q", args, err, says)
		}
	}
}

func TestHelpNamesTheServersSettings(t *testing.T) {
	var out strings.Builder
	_, err := parseOptions([]string{"--help"}, &out, io.Discard)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("--help: %v", err)
	}
	for _, want := range []string{"OTPD_LIMITS_CODES_PER_IP_PER_HOUR=0", "OTPD_LIMITS_MESSAGES_PER_MINUTE=0",
		"OTPD_SMTP_URL=smtp://ADDR", "OTPD_SMTP_TLS=none", "-concurrency", "-rate"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("--help does not say %q", want)
		}
	}
}
