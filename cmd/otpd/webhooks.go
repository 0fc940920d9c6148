package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"strings"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/config"
	"github.com/otpd/otpd/passcode"
	"github.com/otpd/otpd/webhook"
)

const webhooksUsage = `Usage: otpd webhooks [flags]

Lists the webhook endpoints of the configuration ([[webhooks]]), each with
the event types it hears and the secret its webhooks are signed with, in
the whsec_ form a Standard Webhooks library reads. An endpoint without a
secret in the file gets one derived from the server secret and its id: this
prints it, to give to the receiver. The server secret is created if the
data directory has none yet, as the server would at its first start.

Flags:
`

func webhooksCommand(_ context.Context, args []string, env func(string) (string, bool), stdout, stderr io.Writer) error {
	fs := newFlags("webhooks", webhooksUsage, args, stdout, stderr)
	configPath := fs.String("config", "", "read settings from this TOML `file` (default $OTPD_CONFIG)")
	data := fs.String("data", "", "the data `directory` (default ./otpd-data)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("webhooks takes no arguments, got %q", strings.Join(fs.Args(), " "))
	}
	cfg, err := loadConfig(*configPath, *data, env)
	if err != nil {
		return err
	}
	if len(cfg.Webhooks) == 0 {
		fmt.Fprintln(stdout, "No webhooks are configured; add [[webhooks]] tables to the configuration file (see otpd.example.toml).")
		return nil
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	secret, _, err := passcode.LoadOrCreateSecret(cfg.SecretPath())
	if err != nil {
		return err
	}
	endpoints, _, err := webhookSetup(cfg, secret)
	if err != nil {
		return err
	}
	for i, w := range cfg.Webhooks {
		events := "every type"
		if len(w.Events) > 0 {
			events = strings.Join(w.Events, ", ")
		}
		from := "derived from the server secret"
		if w.Secret != "" {
			from = "from the configuration file"
		}
		fmt.Fprintf(stdout, "%s\n  url:    %s\n  events: %s\n  secret: %s (%s)\n", w.ID, w.URL, events,
			webhook.FormatSecret(endpoints[i].Key), from)
	}
	return nil
}

// webhookSetup returns the configured endpoints, with their keys, and
// which endpoints hear which events, for the store.
func webhookSetup(cfg config.Config, serverSecret []byte) ([]webhook.Endpoint, otpd.WebhookSubscriptions, error) {
	subs, err := webhookSubscriptions(cfg)
	if err != nil {
		return nil, nil, err
	}
	var endpoints []webhook.Endpoint
	for i, w := range cfg.Webhooks {
		key := webhook.DeriveKey(serverSecret, w.ID)
		if w.Secret != "" {
			var err error
			if key, err = config.ParseWebhookSecret(w.Secret); err != nil {
				return nil, nil, fmt.Errorf("webhooks[%d].secret: %w", i, err)
			}
		}
		endpoints = append(endpoints, webhook.Endpoint{ID: w.ID, URL: w.URL, Key: key})
	}
	return endpoints, subs, nil
}

// webhookSubscriptions says which endpoints hear which events.
func webhookSubscriptions(cfg config.Config) (otpd.WebhookSubscriptions, error) {
	if errs := webhookEventProblems(cfg); len(errs) > 0 {
		return nil, errs
	}
	subs := otpd.WebhookSubscriptions{}
	for _, w := range cfg.Webhooks {
		for _, t := range webhookTypes(w) {
			ev, _ := otpd.WebhookEventType(t)
			subs[ev] = append(subs[ev], w.ID)
		}
	}
	return subs, nil
}

// subscribe has store queue the webhooks of subs with their events: the
// server's store, and the one "otpd accounts" opens, whose disabling and
// deletion the apps hear of too.
func subscribe(store otpd.Store, subs otpd.WebhookSubscriptions) error {
	if len(subs) == 0 {
		return nil
	}
	sub, ok := store.(interface {
		SetWebhooks(otpd.WebhookSubscriptions)
	})
	if !ok {
		return fmt.Errorf("webhooks: the store %T cannot queue webhooks", store)
	}
	sub.SetWebhooks(subs)
	return nil
}

// webhookTypes are the types an endpoint hears: those it lists, or all.
func webhookTypes(w config.WebhookConfig) []otpd.WebhookType {
	if len(w.Events) == 0 {
		return otpd.WebhookTypes()
	}
	ts := make([]otpd.WebhookType, len(w.Events))
	for i, e := range w.Events {
		ts[i] = otpd.WebhookType(e)
	}
	return ts
}

// webhookEventProblems names every event type of [[webhooks]] that no
// webhook reports. The names are the domain's, which config does not
// import, so they are checked here, with the configuration's other
// problems (loadSettings).
func webhookEventProblems(cfg config.Config) config.Errors {
	var errs config.Errors
	var known []string
	for _, t := range otpd.WebhookTypes() {
		known = append(known, string(t))
	}
	for i, w := range cfg.Webhooks {
		for _, e := range w.Events {
			if _, ok := otpd.WebhookEventType(otpd.WebhookType(e)); !ok && e != "" {
				errs = append(errs, &config.Error{Key: fmt.Sprintf("webhooks[%d].events", i),
					Msg: fmt.Sprintf("must be among %s, got %q", strings.Join(known, ", "), e)})
			}
		}
	}
	return errs
}

// openWebhooks subscribes the store to the configured endpoints' events
// and returns the worker that delivers them, or nil when none is
// configured: the store then queues nothing, and a sign-in writes no
// more than without webhooks.
func openWebhooks(cfg config.Config, serverSecret []byte, store otpd.Store, clock otpd.Clock, log *slog.Logger) (*webhook.Worker, error) {
	if len(cfg.Webhooks) == 0 {
		return nil, nil
	}
	endpoints, subs, err := webhookSetup(cfg, serverSecret)
	if err != nil {
		return nil, err
	}
	if err := subscribe(store, subs); err != nil {
		return nil, err
	}
	for _, ep := range endpoints {
		log.Info("webhooks are sent", "endpoint", ep.ID, "url", redactQuery(ep.URL))
	}
	return &webhook.Worker{Store: store, Endpoints: endpoints, Clock: clock, Log: log}, nil
}

// deliverWebhooks runs the webhook worker, when there is one, until ctx
// ends.
func (a *app) deliverWebhooks(ctx context.Context) {
	if a.hooks != nil {
		a.hooks.Run(ctx)
	}
}

// redactQuery is u without its query, which may hold the receiver's
// token: what the log says of an endpoint.
func redactQuery(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.RawQuery == "" {
		return u
	}
	p.RawQuery = "…"
	return p.String()
}
