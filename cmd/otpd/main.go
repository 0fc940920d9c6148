// Command otpd is a self-hostable sign-in server built around single-use
// codes. This package only wires the parts together and reads the command
// line; everything else lives in the packages it imports.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"syscall"
)

const usage = `otpd: sign-in with single-use codes sent by email

Usage:
  otpd [serve] [flags]   run the server (the default command)
  otpd migrate status    show the database schema's applied and pending migrations
  otpd migrate up        apply the pending migrations
  otpd check-config      validate the configuration and show its odds
  otpd dkim keygen       make a DKIM key and print its DNS record
  otpd dns [--check]     print the DNS records receivers need, or check them
  otpd inspect FILE.eml  tell whether a message is one this otpd sent, unaltered
  otpd backup --to FILE  copy the SQLite store and its secrets while the server runs
  otpd restore --from FILE  put a backup into an empty data directory
  otpd healthcheck       exit 0 if the server answers (for container HEALTHCHECKs)
  otpd version           show the version, commit and Go that built this otpd
  otpd clients add|list|show|remove|rotate-secret
                         manage the apps that sign people in through otpd
  otpd accounts list|show|disable|enable|delete|export|sign-out|unlock
                         administer accounts
  otpd admin-tokens create|list|revoke
                         manage the bearer tokens of the admin API
  otpd webhooks          list the webhook endpoints and the secrets they are signed with
  otpd help [command]    show help for a command

With no configuration otpd keeps its data in ./otpd-data (an SQLite file and
the server secret), listens on 127.0.0.1:8080, and keeps outgoing mail in a
dev mailbox at /dev/mailbox instead of sending it.

Run "otpd serve --help" for the server's flags and environment variables,
and "otpd migrate --help" for upgrading the database schema.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.LookupEnv, os.Stdout, os.Stderr, nil)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "otpd:", err)
		os.Exit(1)
	}
}

// run dispatches a command line. ready, when set, is told the address the
// server listens on (tests listen on port 0).
func run(ctx context.Context, args []string, env func(string) (string, bool), stdout, stderr io.Writer, ready func(addr string)) error {
	if len(args) > 0 && isHelp(args[0]) {
		fmt.Fprint(stdout, usage)
		fmt.Fprintln(stdout)
		return serve(ctx, []string{"--help"}, env, stdout, stderr, ready)
	}
	if len(args) > 0 && (args[0] == "--version" || args[0] == "-version") {
		return versionCommand(args[1:], stdout, stderr)
	}
	cmd, rest := "serve", args
	if len(args) > 0 && (args[0] == "" || args[0][0] != '-') {
		cmd, rest = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(ctx, rest, env, stdout, stderr, ready)
	case "dkim":
		return dkimCommand(rest, stdout, stderr)
	case "dns":
		return dnsCommand(ctx, rest, env, stdout, stderr)
	case "inspect":
		return inspectCommand(ctx, rest, env, os.Stdin, stdout, stderr)
	case "check-config":
		return checkConfig(ctx, rest, env, stdout, stderr)
	case "migrate":
		return migrateCommand(ctx, rest, env, stdout, stderr)
	case "backup":
		return backupCommand(ctx, rest, env, stdout, stderr)
	case "restore":
		return restoreCommand(ctx, rest, env, stdout, stderr)
	case "version":
		return versionCommand(rest, stdout, stderr)
	case "healthcheck":
		return healthcheck(ctx, rest, env, stdout, stderr)
	case "clients":
		return clientsCommand(ctx, rest, env, stdout, stderr)
	case "accounts":
		return accountsCommand(ctx, rest, env, stdout, stderr)
	case "admin-tokens":
		return adminTokensCommand(ctx, rest, env, stdout, stderr)
	case "webhooks":
		return webhooksCommand(ctx, rest, env, stdout, stderr)
	case "help":
		if len(rest) > 0 && rest[0] == "serve" {
			return serve(ctx, []string{"--help"}, env, stdout, stderr, ready)
		}
		if len(rest) > 0 && rest[0] == "migrate" {
			return migrateCommand(ctx, []string{"--help"}, env, stdout, stderr)
		}
		if len(rest) > 0 && rest[0] == "clients" {
			return clientsCommand(ctx, []string{"--help"}, env, stdout, stderr)
		}
		if len(rest) > 0 && rest[0] == "accounts" {
			return accountsCommand(ctx, []string{"--help"}, env, stdout, stderr)
		}
		if len(rest) > 0 && rest[0] == "admin-tokens" {
			return adminTokensCommand(ctx, []string{"--help"}, env, stdout, stderr)
		}
		if len(rest) > 0 && rest[0] == "webhooks" {
			return webhooksCommand(ctx, []string{"--help"}, env, stdout, stderr)
		}
		if len(rest) > 0 && rest[0] == "inspect" {
			return inspectCommand(ctx, []string{"--help"}, env, os.Stdin, stdout, stderr)
		}
		fmt.Fprint(stdout, usage)
		return flag.ErrHelp
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}
}

func isHelp(arg string) bool {
	return arg == "-h" || arg == "-help" || arg == "--help"
}

// newFlags is a subcommand's flag set: its errors go to stderr, but its
// help, asked for, to stdout, so that `otpd CMD --help | less` works; the
// help is usage and then the flags.
func newFlags(name, usage string, args []string, stdout, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	if slices.ContainsFunc(args, isHelp) {
		fs.SetOutput(stdout)
	}
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usage)
		fs.PrintDefaults()
	}
	return fs
}
