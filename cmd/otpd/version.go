package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/otpd/otpd/buildinfo"
)

// versionCommand prints which otpd this is, from what the Go toolchain
// recorded in the binary: module version, commit, its time, whether the
// tree had changes, and the Go that built it.
func versionCommand(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stdout, "Usage: otpd version\n\nPrints the version, the commit it was built from and the Go that built it.\n")
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("version takes no arguments, got %q", fs.Args())
	}
	fmt.Fprintln(stdout, buildinfo.Read())
	return nil
}
