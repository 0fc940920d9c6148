package main

import (
	"context"
	"errors"
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
	// closeMailer ends the Mailer's connections after the worker stops.
	closeMailer func() error
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
	out, err := newOutgoing(cfg, log)
	if err != nil {
		return nil, errors.Join(err, store.Close())
	}
	composer := &mail.Composer{
		From:          cfg.Mail.From,
		PublicURL:     cfg.PublicOrigin(),
		Product:       "otpd",
		CodeInSubject: cfg.Mail.CodeInSubject,
		TemplateDir:   cfg.Mail.TemplatesDir,
	}
	if err := composer.Check(); err != nil {
		return nil, errors.Join(fmt.Errorf("mail.templates_dir: %w", err), store.Close(), out.close())
	}
	a := &app{store: store, mailbox: out.mailbox, closeMailer: out.close}
	a.worker = &mail.Worker{Store: store, Mailer: out.mailer, Composer: composer, Open: book.Open, Clock: clock, Log: log}
	a.engine = signin.New(store, book, clock, policy(cfg, public.Hostname()), log, a.worker.Notify)
	opts := web.Options{Engine: a.engine, Clock: clock, Log: log}
	if out.mailbox != nil {
		opts.Mailbox = out.mailbox
	}
	a.handler = web.New(opts).Handler()
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
	return errors.Join(a.closeMailer(), a.store.Close())
}
