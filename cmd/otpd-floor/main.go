// Command otpd-floor is the floor otpd is measured against: a server that
// does the least any signed single-use-code sign-in must do, and nothing
// else. POST /request stores a challenge (a random 9-digit code, kept as
// an HMAC-SHA256) in one write transaction and DKIM-signs one short
// message holding the code with RSA-2048; POST /verify consumes the code,
// counting the attempt, and stores a session, in one write transaction.
// It uses otpd's SQLite settings (WAL, NORMAL sync, busy timeout,
// immediate transactions) and otpd's DKIM signer, so that what otpd does
// beyond this shows as the distance between the two.
//
// It is a benchmark, not a server: it hands the code back in the
// request's answer (standing for a mail path that costs the server
// nothing more), so it listens on loopback only.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/signal"
	"slices"
	"syscall"
	"time"
)

const usage = `Usage: otpd-floor [--listen ADDR] [--data DIR]

The floor for otpd's benchmarks (see BENCHMARKS.md): POST /request
{"email"} answers {"flow_id", "code"} after storing the challenge and
DKIM-signing its message; POST /verify {"flow_id", "code"} answers
{"session_token"}. Drive it with otpd-load --floor. Loopback only.

Flags:
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr, nil)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "otpd-floor:", err)
		os.Exit(1)
	}
}

// run serves until ctx is done. ready, when set, is told the address it
// listens on (tests listen on port 0).
func run(ctx context.Context, args []string, stdout, stderr io.Writer, ready func(addr string)) error {
	fs := flag.NewFlagSet("otpd-floor", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if slices.ContainsFunc(args, func(a string) bool { return a == "-h" || a == "-help" || a == "--help" }) {
		fs.SetOutput(stdout)
	}
	listen := fs.String("listen", "127.0.0.1:8090", "listen on this loopback `address`")
	data := fs.String("data", "./floor-data", "keep the database and the DKIM key in this `directory`")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := checkLoopback(*listen); err != nil {
		return err
	}
	f, err := open(ctx, *data)
	if err != nil {
		return err
	}
	defer f.close()
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: f.handler(), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	fmt.Fprintf(stderr, "otpd-floor listening on http://%s/ (data %s)\n", ln.Addr(), *data)
	if ready != nil {
		ready(ln.Addr().String())
	}
	select {
	case err = <-served:
		return err
	case <-ctx.Done():
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return srv.Shutdown(shut)
	}
}

// checkLoopback refuses to listen beyond this machine: the floor answers
// with codes.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--listen %q: want host:port such as 127.0.0.1:8090", addr)
	}
	if a, err := netip.ParseAddr(host); host != "localhost" && (err != nil || !a.IsLoopback()) {
		return fmt.Errorf("--listen %q: the floor hands out codes, so it listens on loopback only", addr)
	}
	return nil
}
