package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/config"
	"github.com/otpd/otpd/mail"
	"github.com/otpd/otpd/passcode"
	"github.com/otpd/otpd/signin"
	"github.com/otpd/otpd/sqlite"
	"github.com/otpd/otpd/web"
)

// app is the server's parts, wired.
type app struct {
	store   *sqlite.Store
	engine  *signin.Engine
	worker  *mail.Worker
	mailbox *mail.DevMailbox
	handler http.Handler
}

func newApp(ctx context.Context, cfg config.Config, log *slog.Logger, clock otpd.Clock) (*app, error) {
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	secret, created, err := passcode.LoadOrCreateSecret(cfg.SecretPath())
	if err != nil {
		return nil, err
	}
	if created {
		log.Info("created a new server secret; keep it with the database", "file", cfg.SecretPath())
	}
	book, err := passcode.New(secret, cfg.Code.Digits)
	if err != nil {
		return nil, err
	}
	public, err := url.Parse(cfg.PublicOrigin())
	if err != nil {
		return nil, fmt.Errorf("public_url: %w", err)
	}
	store, err := sqlite.Open(ctx, cfg.DatabasePath())
	if err != nil {
		return nil, err
	}
	a := &app{store: store, mailbox: &mail.DevMailbox{}}
	a.worker = &mail.Worker{
		Store:  store,
		Mailer: a.mailbox,
		Composer: &mail.Composer{
			From:      "otpd <no-reply@localhost>",
			PublicURL: cfg.PublicOrigin(),
			Product:   "otpd",
		},
		Open:  book.Open,
		Clock: clock,
		Log:   log,
	}
	a.engine = signin.New(store, book, clock, policy(cfg, public.Hostname()), log, a.worker.Notify)
	a.handler = web.New(web.Options{Engine: a.engine, Mailbox: a.mailbox, Clock: clock, Log: log}).Handler()
	return a, nil
}

func policy(cfg config.Config, host string) signin.Policy {
	return signin.Policy{
		Digits:       cfg.Code.Digits,
		CodeLifetime: time.Duration(cfg.Code.Lifetime),
		MaxAttempts:  cfg.Code.MaxAttempts,
		Send: otpd.SendLimits{
			PerHour:        cfg.Limits.CodesPerHour,
			PerDay:         cfg.Limits.CodesPerDay,
			ResendCooldown: time.Duration(cfg.Limits.ResendCooldown),
		},
		Guess: otpd.GuessLimits{
			MaxWrong: cfg.Limits.WrongCodesPerAccount,
			Window:   time.Duration(cfg.Limits.WrongCodesWindow),
		},
		SessionIdle:     time.Duration(cfg.Session.Idle),
		SessionAbsolute: time.Duration(cfg.Session.Absolute),
		SignUp:          cfg.SignUp,
		MessageIDDomain: host,
	}
}

func (a *app) close() error {
	return a.store.Close()
}
