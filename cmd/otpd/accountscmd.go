package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/admin"
)

const accountsUsage = `Usage: otpd accounts COMMAND [flags] [ACCOUNT]

Administers accounts in the configured store (SQLite or PostgreSQL). An
ACCOUNT is named by its ID or its address. Every change is recorded in the
account's activity, where its owner sees it.

  list           list accounts, by ID: --state active|disabled, --limit N,
                 --after ID (the next page starts after the last ID shown)
  show ACCOUNT   show one account
  disable ACCOUNT
                 refuse every sign-in and end every session; a code request
                 is answered like any other, and the owner is mailed that
                 the account is disabled instead of a code
  enable ACCOUNT undo disable
  delete ACCOUNT --yes
                 erase the account and everything kept about it; only
                 counts of its events per type and day remain, and the
                 address can sign up anew
  export ACCOUNT print everything kept about the account as one JSON
                 document (no codes, hashes or tokens)
  sign-out ACCOUNT
                 end every session of the account
  unlock ACCOUNT clear the failures that paused its sign-ins, its raised
                 guard and its campaign

Flags:
`

func accountsCommand(ctx context.Context, args []string, env func(string) (string, bool), stdout, stderr io.Writer) error {
	fs := newFlags("accounts", accountsUsage, args, stdout, stderr)
	configPath := fs.String("config", "", "read settings from this TOML `file` (default $OTPD_CONFIG)")
	data := fs.String("data", "", "the data `directory` (default ./otpd-data)")
	asJSON := fs.Bool("json", false, "print JSON instead of text")
	state := fs.String("state", "", "list: only accounts in this `state`, active or disabled")
	limit := fs.Int("limit", admin.DefaultLimit, fmt.Sprintf("list: at most `N` accounts (1 to %d)", admin.MaxLimit))
	after := fs.String("after", "", "list: the accounts after this account `ID`")
	yes := fs.Bool("yes", false, "delete: yes, erase the account; it cannot be undone")
	sub, rest, err := subcommand(fs, args)
	if err != nil {
		return err
	}
	oneAccount := map[string]bool{"show": true, "disable": true, "enable": true, "delete": true, "export": true,
		"sign-out": true, "unlock": true}
	switch {
	case sub == "list":
		if len(rest) > 0 {
			fs.Usage()
			return fmt.Errorf("accounts list takes no arguments, got %q", strings.Join(rest, " "))
		}
	case oneAccount[sub]:
		if len(rest) != 1 {
			fs.Usage()
			return fmt.Errorf("accounts %s needs one account: its ID or address", sub)
		}
	default:
		fs.Usage()
		if sub == "" {
			return errors.New("accounts needs a command: list, show, disable, enable, delete, export, sign-out or unlock")
		}
		return fmt.Errorf("unknown accounts command %q", sub)
	}
	if sub == "delete" && !*yes {
		return errors.New("--yes: delete erases the account and cannot be undone; add --yes to go ahead")
	}
	svc, op, closeStore, err := openAdmin(ctx, *configPath, *data, env, stderr)
	if err != nil {
		return err
	}
	defer closeStore()
	c := accountsCall{svc: svc, op: op, out: stdout, json: *asJSON}
	if sub == "list" {
		// 0 is the service's default, which the flag already gives: a
		// 0 typed is out of range, like any other.
		if *limit == 0 {
			*limit = -1
		}
		return c.list(ctx, otpd.AccountQuery{State: otpd.AccountState(*state), Limit: *limit, After: *after})
	}
	return cmdError(c.one(ctx, sub, rest[0]))
}

// subcommand splits args into the command and its arguments, reading
// the flags wherever they stand: "otpd accounts show a@b.c --json" reads
// as well as "otpd accounts show --json a@b.c".
func subcommand(fs *flag.FlagSet, args []string) (string, []string, error) {
	sub := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		sub, args = args[0], args[1:]
	}
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			return "", nil, err
		}
		if fs.NArg() == 0 {
			return sub, rest, nil
		}
		rest, args = append(rest, fs.Arg(0)), fs.Args()[1:]
	}
}

// openAdmin opens the store as serve would and returns the command
// line's admin service and Operator.
func openAdmin(ctx context.Context, configPath, data string, env func(string) (string, bool), stderr io.Writer) (*admin.Service, admin.Operator, func(), error) {
	cfg, err := loadConfig(configPath, data, env)
	if err != nil {
		return nil, admin.Operator{}, nil, err
	}
	subs, err := webhookSubscriptions(cfg)
	if err != nil {
		return nil, admin.Operator{}, nil, err
	}
	store, err := openClientsStore(ctx, cfg)
	if err != nil {
		return nil, admin.Operator{}, nil, err
	}
	if err := subscribe(store, subs); err != nil {
		store.Close()
		return nil, admin.Operator{}, nil, err
	}
	// The operator's record of what was done goes to stderr, apart from
	// what the command prints.
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	svc := admin.New(admin.Options{Store: store, Clock: otpd.SystemClock{}, Log: log, Console: true})
	op, err := svc.Console()
	if err != nil {
		store.Close()
		return nil, admin.Operator{}, nil, err
	}
	return svc, op, func() { store.Close() }, nil
}

// cmdError words an *otpd.Error for the command line, naming the flag or
// argument at fault.
func cmdError(err error) error {
	var e *otpd.Error
	if !errors.As(err, &e) {
		return err
	}
	switch e.Field {
	case "":
		return errors.New(e.Message)
	case "account":
		return fmt.Errorf("ACCOUNT: %s", e.Message)
	}
	return fmt.Errorf("--%s: %s", e.Field, e.Message)
}

type accountsCall struct {
	svc  *admin.Service
	op   admin.Operator
	out  io.Writer
	json bool
}

func (c accountsCall) list(ctx context.Context, q otpd.AccountQuery) error {
	as, next, err := c.svc.List(ctx, c.op, q)
	if err != nil {
		return cmdError(err)
	}
	sums := make([]admin.Summary, len(as))
	for i, a := range as {
		sums[i] = admin.Summarize(a)
	}
	if c.json {
		return c.print(struct {
			Accounts []admin.Summary `json:"accounts"`
			Next     string          `json:"next,omitempty"`
		}{sums, next})
	}
	if len(sums) == 0 {
		fmt.Fprintln(c.out, "No accounts.")
		return nil
	}
	for _, s := range sums {
		fmt.Fprintf(c.out, "%-28s %-9s %s\n", s.ID, s.State, s.Email)
	}
	if next != "" {
		fmt.Fprintf(c.out, "\nMore: otpd accounts list --after %s\n", next)
	}
	return nil
}

func (c accountsCall) one(ctx context.Context, sub, ref string) error {
	switch sub {
	case "show":
		a, err := c.svc.Find(ctx, c.op, ref)
		if err != nil {
			return err
		}
		return c.summary(a, "")
	case "disable", "enable":
		a, changed, err := c.svc.SetDisabled(ctx, c.op, ref, sub == "disable")
		if err != nil {
			return err
		}
		note := map[bool]string{true: "Disabled; every session is ended.", false: "Enabled."}[sub == "disable"]
		if !changed {
			note = "Already " + sub + "d; nothing changed."
		}
		return c.summary(a, note)
	case "delete":
		a, err := c.svc.Delete(ctx, c.op, ref)
		if err != nil {
			return err
		}
		if c.json {
			return c.print(map[string]any{"deleted": a.ID})
		}
		fmt.Fprintf(c.out, "Deleted %s (%s) and everything kept about it.\n", a.ID, a.Email)
		return nil
	case "export":
		x, err := c.svc.Export(ctx, c.op, ref)
		if err != nil {
			return err
		}
		return c.print(x)
	case "sign-out":
		a, err := c.svc.Find(ctx, c.op, ref)
		if err != nil {
			return err
		}
		n, err := c.svc.SignOut(ctx, c.op, a.ID)
		if err != nil {
			return err
		}
		if c.json {
			return c.print(map[string]any{"account": a.ID, "sessions_ended": n})
		}
		fmt.Fprintf(c.out, "Signed out %s: %d sessions ended.\n", a.Email, n)
		return nil
	default:
		a, err := c.svc.Unlock(ctx, c.op, ref)
		if err != nil {
			return err
		}
		return c.summary(a, "Unlocked.")
	}
}

func (c accountsCall) summary(a otpd.Account, note string) error {
	s := admin.Summarize(a)
	if c.json {
		return c.print(s)
	}
	if note != "" {
		fmt.Fprintln(c.out, note)
	}
	fmt.Fprintf(c.out, "id:            %s\naddress:       %s\nstate:         %s\ncreated:       %s\npassword:      %s\n",
		s.ID, s.Email, s.State, s.CreatedAt.Format(time.RFC3339), map[bool]string{true: "set", false: "none"}[s.PasswordSet])
	if s.RecoveryEmail != "" {
		fmt.Fprintf(c.out, "recovery:      %s\n", s.RecoveryEmail)
	}
	if s.DisabledAt != nil {
		fmt.Fprintf(c.out, "disabled:      %s\n", s.DisabledAt.Format(time.RFC3339))
	}
	if s.LastSignInAt != nil {
		fmt.Fprintf(c.out, "last sign-in:  %s\n", s.LastSignInAt.Format(time.RFC3339))
	}
	return nil
}

func (c accountsCall) print(v any) error {
	enc := json.NewEncoder(c.out)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
