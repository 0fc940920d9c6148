package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/otpd/otpd"
)

const adminTokensUsage = `Usage: otpd admin-tokens create|list|revoke [flags] [ID]

Manages the bearer tokens of the admin API (/api/v1/admin/). A token of
scope read may list, show and export accounts; one of scope write may also
disable, enable, delete, sign out and unlock them. A token is printed once,
when made: otpd keeps only its SHA-256.

  create --scope read|write [--name NAME]
                 make a token and print it
  list           list the tokens (never the tokens themselves)
  revoke ID      revoke a token: it stops working at once

Flags:
`

func adminTokensCommand(ctx context.Context, args []string, env func(string) (string, bool), stdout, stderr io.Writer) error {
	fs := newFlags("admin-tokens", adminTokensUsage, args, stdout, stderr)
	configPath := fs.String("config", "", "read settings from this TOML `file` (default $OTPD_CONFIG)")
	data := fs.String("data", "", "the data `directory` (default ./otpd-data)")
	asJSON := fs.Bool("json", false, "print JSON instead of text")
	scope := fs.String("scope", "", "create: what the token may do, `read` or write")
	name := fs.String("name", "", "create: a `name` for the token, shown in lists and logs")
	sub, rest, err := subcommand(fs, args)
	if err != nil {
		return err
	}
	switch {
	case sub == "create" || sub == "list":
		if len(rest) > 0 {
			fs.Usage()
			return fmt.Errorf("admin-tokens %s takes no arguments, got %q", sub, strings.Join(rest, " "))
		}
	case sub == "revoke":
		if len(rest) != 1 {
			fs.Usage()
			return errors.New("admin-tokens revoke needs one token ID (admin-tokens list shows them)")
		}
	default:
		fs.Usage()
		if sub == "" {
			return errors.New("admin-tokens needs a command: create, list or revoke")
		}
		return fmt.Errorf("unknown admin-tokens command %q", sub)
	}
	if sub == "create" && *scope == "" {
		return errors.New("--scope: say what the token may do: read or write")
	}
	svc, op, closeStore, err := openAdmin(ctx, *configPath, *data, env, stderr)
	if err != nil {
		return err
	}
	defer closeStore()
	printJSON := func(v any) error {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	switch sub {
	case "create":
		token, t, err := svc.CreateToken(ctx, op, *name, otpd.AdminScope(*scope))
		if err != nil {
			return cmdError(err)
		}
		if *asJSON {
			return printJSON(map[string]string{"id": t.ID, "name": t.Name, "scope": string(t.Scope), "token": token})
		}
		fmt.Fprintf(stdout, "Made admin token %s (scope %s). The token (shown once; otpd keeps only a hash of it):\n\n  %s\n", t.ID, t.Scope, token)
		return nil
	case "list":
		ts, err := svc.Tokens(ctx, op)
		if err != nil {
			return cmdError(err)
		}
		type view struct {
			ID        string     `json:"id"`
			Name      string     `json:"name"`
			Scope     string     `json:"scope"`
			CreatedAt time.Time  `json:"created_at"`
			RevokedAt *time.Time `json:"revoked_at,omitempty"`
		}
		vs := make([]view, len(ts))
		for i, t := range ts {
			vs[i] = view{ID: t.ID, Name: t.Name, Scope: string(t.Scope), CreatedAt: t.CreatedAt}
			if !t.RevokedAt.IsZero() {
				vs[i].RevokedAt = &ts[i].RevokedAt
			}
		}
		if *asJSON {
			return printJSON(map[string]any{"tokens": vs})
		}
		if len(vs) == 0 {
			fmt.Fprintln(stdout, `No admin tokens yet: "otpd admin-tokens create --scope read" makes one.`)
			return nil
		}
		for _, v := range vs {
			state := "works"
			if v.RevokedAt != nil {
				state = "revoked " + v.RevokedAt.Format(time.RFC3339)
			}
			fmt.Fprintf(stdout, "%-12s %-6s %-20s %s  %s\n", v.ID, v.Scope, v.CreatedAt.Format(time.RFC3339), state, v.Name)
		}
		return nil
	default:
		if err := svc.RevokeToken(ctx, op, rest[0]); err != nil {
			return cmdError(err)
		}
		if *asJSON {
			return printJSON(map[string]string{"revoked": rest[0]})
		}
		fmt.Fprintf(stdout, "Revoked %s.\n", rest[0])
		return nil
	}
}
