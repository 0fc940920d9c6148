// Command otpd-load drives complete sign-ins against an otpd server (or
// the floor, cmd/otpd-floor) on this machine and reports throughput, tail
// latency, errors and the server's memory. "otpd-load seed" fills an
// SQLite store with accounts and events before a server starts on it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "otpd-load:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "seed" {
		return seedCommand(ctx, args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "summary" {
		return summaryCommand(args[1:], stdout, stderr)
	}
	o, err := parseOptions(args, stdout, stderr)
	if err != nil {
		return err
	}
	res, err := load(ctx, o, stderr)
	if err != nil {
		return err
	}
	if o.json {
		return res.writeJSON(stdout)
	}
	return res.writeTable(stdout)
}
