package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/config"
)

const clientsUsage = `Usage: otpd clients add|list|show|remove|rotate-secret [flags] [id]

Manages the apps that sign people in through otpd with OpenID Connect.
Apps declared in the configuration file ([[clients]]) are listed too, but
change only there.

  add            add an app: --id, --name, --type, --redirect-uri (repeat
                 for more), --scope, --post-logout-uri, --logo; a
                 confidential app's secret is printed once and kept only
                 as its SHA-256
  list           list every app
  show ID        show one app
  remove ID      remove an app and revoke every token it holds
  rotate-secret ID
                 give a confidential app a new secret, printed once; for
                 an app of the configuration file, print a secret and the
                 secret_hash to put there

Flags:
`

// listFlag is a flag that may be repeated, each value added.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// clientFlags names the flag that sets each app setting, so that an error
// names what the person typed.
var clientFlags = map[string]string{
	"id": "--id", "name": "--name", "type": "--type", "redirect_uris": "--redirect-uri",
	"post_logout_redirect_uris": "--post-logout-uri", "scopes": "--scope", "logo_url": "--logo",
}

func clientsCommand(ctx context.Context, args []string, env func(string) (string, bool), stdout, stderr io.Writer) error {
	fs := newFlags("clients", clientsUsage, args, stdout, stderr)
	configPath := fs.String("config", "", "read settings from this TOML `file` (default $OTPD_CONFIG)")
	data := fs.String("data", "", "the data `directory` (default ./otpd-data)")
	var cl config.ClientConfig
	var redirects, logouts, scopes listFlag
	fs.StringVar(&cl.ID, "id", "", "add: the app's `id` (a-z, 0-9, . _ -)")
	fs.StringVar(&cl.Name, "name", "", "add: the app's `name`, shown when people allow it")
	fs.StringVar(&cl.Type, "type", "confidential", "add: public (a SPA or native app, PKCE, no secret) or confidential")
	fs.Var(&redirects, "redirect-uri", "add: a redirect `URI`, matched exactly (repeat for more)")
	fs.Var(&logouts, "post-logout-uri", "add: where a signed-out person may return, `URI` (repeat for more)")
	fs.Var(&scopes, "scope", "add: a `scope` the app may ask for: openid, email, offline_access (repeat; default openid and email)")
	fs.StringVar(&cl.LogoURL, "logo", "", "add: the app's logo, an https:// `URL`")
	sub := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		sub, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	needID := map[string]bool{"show": true, "remove": true, "rotate-secret": true}
	switch {
	case sub == "add" || sub == "list":
		if fs.NArg() > 0 {
			fs.Usage()
			return fmt.Errorf("clients %s takes no arguments, got %q", sub, strings.Join(fs.Args(), " "))
		}
	case needID[sub]:
		if fs.NArg() != 1 {
			fs.Usage()
			return fmt.Errorf("clients %s needs one app id", sub)
		}
	default:
		fs.Usage()
		if sub == "" {
			return errors.New("clients needs a command: add, list, show, remove or rotate-secret")
		}
		return fmt.Errorf("unknown clients command %q", sub)
	}
	cfg, err := loadConfig(*configPath, *data, env)
	if err != nil {
		return err
	}
	if sub == "add" {
		cl.RedirectURIs, cl.PostLogoutRedirectURIs, cl.Scopes = redirects, logouts, scopes
		if len(cl.Scopes) == 0 {
			cl.Scopes = []string{otpd.ScopeOpenID, otpd.ScopeEmail}
		}
	}
	// The configuration's apps win over stored ones of the same ID, so an
	// ID is refused while the file has it.
	configured := configApps(cfg.Clients, time.Time{})
	if sub == "add" {
		if _, ok := findApp(configured, cl.ID); ok {
			return fmt.Errorf("--id: %q is declared in the configuration file", cl.ID)
		}
	}
	if app, ok := findApp(configured, fs.Arg(0)); ok && needID[sub] {
		return configAppCommand(sub, app, stdout)
	}
	store, err := openClientsStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Close()
	switch sub {
	case "add":
		return addClient(ctx, store, cl, stdout)
	case "list":
		return listClients(ctx, store, configured, stdout)
	case "show":
		app, err := store.App(ctx, fs.Arg(0))
		if err != nil {
			return noApp(fs.Arg(0), err)
		}
		showApp(stdout, app)
		return nil
	case "remove":
		if err := store.RemoveApp(ctx, fs.Arg(0), time.Now()); err != nil {
			return noApp(fs.Arg(0), err)
		}
		fmt.Fprintf(stdout, "Removed %s; every token it held is revoked.\n", fs.Arg(0))
		return nil
	default:
		app, err := store.App(ctx, fs.Arg(0))
		if err != nil {
			return noApp(fs.Arg(0), err)
		}
		if app.Public {
			return fmt.Errorf("%s is a public app: it has no secret", app.ID)
		}
		secret, hash, err := newSecret()
		if err != nil {
			return err
		}
		if err := store.SetAppSecret(ctx, app.ID, hash); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "New secret of %s (shown once; the old one no longer works):\n\n  %s\n", app.ID, secret)
		return nil
	}
}

// openClientsStore opens the store serve would, making the data directory
// of a first start as serve does.
func openClientsStore(ctx context.Context, cfg config.Config) (otpd.Store, error) {
	if kind, where := cfg.Store(); kind != config.Postgres {
		if err := os.MkdirAll(filepath.Dir(where), 0o700); err != nil {
			return nil, fmt.Errorf("data directory: %w", err)
		}
	}
	return openStore(ctx, cfg, slog.New(slog.DiscardHandler))
}

func noApp(id string, err error) error {
	if errors.Is(err, otpd.ErrNotFound) {
		return fmt.Errorf("no app %q (otpd clients list shows them)", id)
	}
	return err
}

// configAppCommand answers show, remove and rotate-secret for an app of
// the configuration file, which the command does not change.
func configAppCommand(sub string, app otpd.App, stdout io.Writer) error {
	switch sub {
	case "show":
		showApp(stdout, app)
		return nil
	case "remove":
		return fmt.Errorf("%s is declared in the configuration file ([[clients]]): remove it there", app.ID)
	}
	if app.Public {
		return fmt.Errorf("%s is a public app: it has no secret", app.ID)
	}
	secret, hash, err := newSecret()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s is declared in the configuration file. Give the app this secret (shown once):\n\n  %s\n\n"+
		"and set its secret_hash in [[clients]] to:\n\n  secret_hash = %q\n", app.ID, secret, hex.EncodeToString(hash))
	return nil
}

func addClient(ctx context.Context, store otpd.Store, cl config.ClientConfig, stdout io.Writer) error {
	public := cl.Type == "public"
	var secret string
	var hash []byte
	if !public {
		var err error
		if secret, hash, err = newSecret(); err != nil {
			return err
		}
		cl.SecretHash = hex.EncodeToString(hash)
	}
	if probs := cl.Problems(); len(probs) > 0 {
		lines := make([]string, len(probs))
		for i, p := range probs {
			lines[i] = clientFlags[p.Key] + ": " + p.Msg
		}
		return errors.New(strings.Join(lines, "\n"))
	}
	app := configApp(cl, time.Now())
	app.FromConfig = false
	if err := store.SaveApp(ctx, app); err != nil {
		if errors.Is(err, otpd.ErrAppExists) {
			return fmt.Errorf("--id: an app %q exists", cl.ID)
		}
		return err
	}
	fmt.Fprintf(stdout, "Added %s (%s).\n", app.ID, cl.Type)
	if !public {
		fmt.Fprintf(stdout, "Its secret (shown once; otpd keeps only a hash of it):\n\n  %s\n", secret)
	}
	return nil
}

func listClients(ctx context.Context, store otpd.Store, configured []otpd.App, stdout io.Writer) error {
	stored, err := store.Apps(ctx)
	if err != nil {
		return err
	}
	all := append(slices.Clone(configured), stored...)
	if len(all) == 0 {
		fmt.Fprintln(stdout, `No apps yet: "otpd clients add" adds one.`)
		return nil
	}
	for _, app := range all {
		from := "added"
		if app.FromConfig {
			from = "config file"
		}
		fmt.Fprintf(stdout, "%-24s %-12s %-12s %s\n", app.ID, appType(app), from, app.Name)
	}
	return nil
}

func showApp(w io.Writer, app otpd.App) {
	fmt.Fprintf(w, "id:              %s\nname:            %s\ntype:            %s\n", app.ID, app.Name, appType(app))
	if app.FromConfig {
		fmt.Fprintln(w, "declared in:     the configuration file")
	}
	fmt.Fprintf(w, "redirect URIs:   %s\n", strings.Join(app.RedirectURIs, " "))
	if len(app.PostLogoutURIs) > 0 {
		fmt.Fprintf(w, "post-logout:     %s\n", strings.Join(app.PostLogoutURIs, " "))
	}
	fmt.Fprintf(w, "scopes:          %s\n", strings.Join(app.Scopes, " "))
	if app.LogoURL != "" {
		fmt.Fprintf(w, "logo:            %s\n", app.LogoURL)
	}
}

func appType(app otpd.App) string {
	if app.Public {
		return "public"
	}
	return "confidential"
}

// newSecret makes an app secret, 256 random bits, and its hash.
func newSecret() (string, []byte, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", nil, fmt.Errorf("make a secret: %w", err)
	}
	s := base64.RawURLEncoding.EncodeToString(b)
	return s, otpd.HashSecret(s), nil
}

// configApps are the apps of the configuration file, as the domain has
// them; Validate has checked them.
func configApps(cls []config.ClientConfig, at time.Time) []otpd.App {
	apps := make([]otpd.App, len(cls))
	for i, cl := range cls {
		apps[i] = configApp(cl, at)
	}
	return apps
}

func configApp(cl config.ClientConfig, at time.Time) otpd.App {
	hash, _ := hex.DecodeString(cl.SecretHash)
	if len(hash) == 0 {
		hash = nil
	}
	return otpd.App{
		ID: cl.ID, Name: cl.Name, Public: cl.Type == "public", SecretHash: hash,
		RedirectURIs: cl.RedirectURIs, PostLogoutURIs: cl.PostLogoutRedirectURIs, Scopes: cl.Scopes,
		LogoURL: cl.LogoURL, FirstParty: cl.FirstParty, FromConfig: true, CreatedAt: at,
	}
}

func findApp(apps []otpd.App, id string) (otpd.App, bool) {
	i := slices.IndexFunc(apps, func(a otpd.App) bool { return a.ID == id })
	if i < 0 {
		return otpd.App{}, false
	}
	return apps[i], true
}
