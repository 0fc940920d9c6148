package main

import (
	"flag"
	"fmt"
	"io"
	"net/url"
	"slices"
	"time"
)

const usage = `Usage: otpd-load [flags]
       otpd-load seed --db PATH [--accounts N] [--events N]
       otpd-load summary FILE.json...

Drives complete sign-ins against a server on this machine: ask for a code
(POST /api/v1/sign-in), read it (the dev mailbox API, or the SMTP sink),
verify it (POST /api/v1/flows/{id}/verify), and use the session
(GET /api/v1/me). Every answer that is not 2xx counts as an error. It
stops by itself after --duration or --flows, and connects to loopback only.

The server's limits on code requests would refuse a load generator (it
is one client asking for many codes). Start otpd with roomy limits:

  OTPD_LIMITS_CODES_PER_IP_PER_HOUR=0 \
  OTPD_LIMITS_CODES_PER_NETWORK_PER_HOUR=0 \
  OTPD_LIMITS_MESSAGES_PER_MINUTE=0 \
  OTPD_LIMITS_CODES_PER_HOUR=1000000 OTPD_LIMITS_CODES_PER_DAY=1000000 \
  otpd serve --listen 127.0.0.1:8080 --data /tmp/otpd-bench

With --smtp-sink ADDR the generator receives the server's mail itself, so
that composing, DKIM signing and SMTP are measured too; start otpd with
  OTPD_SMTP_URL=smtp://ADDR OTPD_SMTP_TLS=none OTPD_MAIL_FROM='Bench <bench@example.com>'
(the dev mailbox is then off).

The floor (go run ./cmd/otpd-floor) is driven with --floor.

Flags:
`

// options is a parsed command line.
type options struct {
	target      *url.URL
	floor       bool
	plan        plan
	accounts    int
	connections int
	timeout     time.Duration
	smtpSink    string
	serverPID   int
	json        bool
}

// Bounds that keep every run finite whatever the flags say.
const (
	maxDuration = 10 * time.Minute
	maxFlows    = 10_000_000
	maxAccounts = 1_000_000
	maxConns    = 4096
)

func parseOptions(args []string, stdout, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("otpd-load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if slices.ContainsFunc(args, func(a string) bool { return a == "-h" || a == "-help" || a == "--help" }) {
		fs.SetOutput(stdout)
	}
	target := fs.String("target", "http://127.0.0.1:8080", "the server's `URL` (loopback only)")
	var o options
	fs.BoolVar(&o.floor, "floor", false, "drive the floor's POST /request and POST /verify instead of otpd's API")
	fs.IntVar(&o.plan.concurrency, "concurrency", 0, "closed loop: keep `N` flows going (default 8 without --rate)")
	rate := fs.String("rate", "", "open loop: start flows at this `rate`, such as 500/s, whatever the server does")
	fs.DurationVar(&o.plan.duration, "duration", 10*time.Second, "stop starting flows after this long (at most 10m)")
	fs.Int64Var(&o.plan.flows, "flows", 0, "stop after `N` flows (0: as many as --duration allows)")
	fs.IntVar(&o.plan.maxInflight, "max-inflight", 2000, "open loop: at most `N` unfinished flows; one due beyond counts as an error")
	fs.IntVar(&o.accounts, "accounts", 0, "sign up `N` accounts before measuring, then sign them in in turn (0: every flow signs up a new address)")
	fs.IntVar(&o.connections, "connections", 0, "at most `N` keep-alive connections to the server (default: --concurrency, or 256 in the open loop)")
	fs.DurationVar(&o.timeout, "timeout", 10*time.Second, "give up on an answer, or on a code's message, after this long")
	fs.StringVar(&o.smtpSink, "smtp-sink", "", "receive the server's mail by SMTP on this loopback `address` and read codes from it")
	fs.IntVar(&o.serverPID, "server-pid", 0, "read the server's memory (VmRSS, VmHWM) from /proc/`PID`/status")
	fs.BoolVar(&o.json, "json", false, "print the result as JSON")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return options{}, err
	}
	if fs.NArg() > 0 {
		return options{}, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	var err error
	if o.target, err = checkTarget(*target); err != nil {
		return options{}, err
	}
	if *rate != "" {
		if o.plan.rate, err = parseRate(*rate); err != nil {
			return options{}, fmt.Errorf("--rate: %w", err)
		}
	}
	return o, o.settle()
}

// settle fills in defaults and refuses combinations that make no sense.
func (o *options) settle() error {
	p := &o.plan
	switch {
	case p.rate > 0 && p.concurrency > 0:
		return fmt.Errorf("--rate (open loop) and --concurrency (closed loop) exclude each other")
	case p.rate == 0 && p.concurrency == 0:
		p.concurrency = 8
	}
	if o.connections == 0 {
		o.connections = p.concurrency
		if p.rate > 0 {
			o.connections = 256
		}
	}
	switch {
	case p.duration <= 0 || p.duration > maxDuration:
		return fmt.Errorf("--duration must be more than 0 and at most %s, got %s", maxDuration, p.duration)
	case p.flows < 0 || p.flows > maxFlows:
		return fmt.Errorf("--flows must be between 0 and %d, got %d", maxFlows, p.flows)
	case p.concurrency < 0 || p.concurrency > maxConns:
		return fmt.Errorf("--concurrency must be between 1 and %d, got %d", maxConns, p.concurrency)
	case o.connections < 1 || o.connections > maxConns:
		return fmt.Errorf("--connections must be between 1 and %d, got %d", maxConns, o.connections)
	case p.maxInflight < 1 || p.maxInflight > 100_000:
		return fmt.Errorf("--max-inflight must be between 1 and 100000, got %d", p.maxInflight)
	case o.accounts < 0 || o.accounts > maxAccounts:
		return fmt.Errorf("--accounts must be between 0 and %d, got %d", maxAccounts, o.accounts)
	case o.accounts > 0 && p.concurrency > o.accounts:
		return fmt.Errorf("--concurrency %d needs at least as many --accounts (%d): an account runs one flow at a time", p.concurrency, o.accounts)
	case o.timeout <= 0:
		return fmt.Errorf("--timeout must be more than 0")
	case o.floor && o.smtpSink != "":
		return fmt.Errorf("--floor and --smtp-sink exclude each other: the floor sends no mail")
	}
	if o.smtpSink != "" {
		return checkLoopbackAddr("--smtp-sink", o.smtpSink)
	}
	return nil
}

// loop describes the pacing for the report.
func (p plan) loop() string {
	if p.rate > 0 {
		return fmt.Sprintf("open loop at %g/s", p.rate)
	}
	return fmt.Sprintf("closed loop, %d at a time", p.concurrency)
}
