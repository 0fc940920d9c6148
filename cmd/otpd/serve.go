package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/buildinfo"
	"github.com/otpd/otpd/config"
)

const serveUsage = `Usage: otpd serve [flags]

Runs the sign-in server. Settings come from, in rising precedence: built-in
defaults, the config file (see otpd.example.toml), environment variables,
and these flags.

Flags:
`

const serveEnv = `
Environment:
  OTPD_CONFIG       config file (like --config)
  OTPD_LISTEN       address to listen on (like --listen)
  OTPD_METRICS_LISTEN  address Prometheus scrapes /metrics from (like
                    --metrics-listen; default 127.0.0.1:9464, "off" for none)
  OTPD_DATA_DIR     data directory (like --data)
  OTPD_PUBLIC_URL   origin used in links in emails (default http://LISTEN)
  OTPD_SECRET_FILE  server secret (default DATA/secret.key, created if missing)
  OTPD_SIGN_UP      true or false: may unknown addresses create an account
  OTPD_DATABASE     postgres://... for several nodes, or sqlite:PATH (default DATA/otpd.db)
  OTPD_DATABASE_CONNECTIONS  most connections this node opens to PostgreSQL (default 10)
  OTPD_REDIS        redis://host:6379/0 to share rate limits between nodes
  OTPD_MIGRATE      true: upgrade an older database schema at start (like --migrate)
  OTPD_TRUSTED_PROXIES  comma-separated proxies (IPs or CIDRs) whose
                    X-Forwarded-For names the client; set it behind a proxy
  OTPD_SMTP_URL     relay for mail: smtp://user:pass@host:587 (STARTTLS) or
                    smtps://user:pass@host:465; unset, mail stays in the dev mailbox
  OTPD_MAIL_FROM    From header, like "Example Accounts <accounts@example.com>"
  OTPD_DKIM_KEY_FILE  PEM key that signs mail (default DATA/dkim-rsa.key, created
                    if missing; its DNS record is logged at start-up when mail
                    is really sent, through SMTP or the pickup directory)
  OTPD_DKIM_SELECTOR  DNS selector of that key (default otpd)
  OTPD_LANGUAGE_DEFAULT  language of pages and emails for readers who chose none
                    and whose browser asks for none of ours (default en)
  OTPD_LOG_LEVEL    debug, info, warn or error
  OTPD_LOG_FORMAT   text or json

Every setting of the config file can be set in the environment too, as
OTPD_ and the key in capitals with dots as underscores: OTPD_CODE_DIGITS,
OTPD_LIMITS_CODES_PER_HOUR, OTPD_SESSION_IDLE. otpd.example.toml lists every
setting with its default and the reason for it. An OTPD_ variable that names
no setting is an error, as an unknown key in the file is.
`

// shutdownGrace is how long requests in flight may take to finish when the
// server is told to stop.
const shutdownGrace = 10 * time.Second

func serve(ctx context.Context, args []string, env func(string) (string, bool), stdout, stderr io.Writer, ready func(string)) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if slices.ContainsFunc(args, isHelp) {
		fs.SetOutput(stdout)
	}
	configPath := fs.String("config", "", "read settings from this TOML `file`")
	listen := fs.String("listen", "", "listen on this `address` (default 127.0.0.1:8080)")
	metricsListen := fs.String("metrics-listen", "", "serve /metrics for Prometheus on this `address`, apart from the public one, or \"off\" (default 127.0.0.1:9464)")
	data := fs.String("data", "", "keep the database and the server secret in this `directory` (default ./otpd-data)")
	migrate := fs.Bool("migrate", false, "upgrade an older database schema before starting (like migrate = true)")
	profile := fs.String("pprof", "", "serve Go's profiles (net/http/pprof) on this loopback `address`, such as 127.0.0.1:6060; for measuring, not for production")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), serveUsage)
		fs.PrintDefaults()
		fmt.Fprint(fs.Output(), serveEnv)
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("serve takes no arguments, got %q", fs.Args())
	}
	if *configPath == "" {
		*configPath, _ = env("OTPD_CONFIG")
	}
	cfg, err := loadSettings(*configPath, env)
	if err != nil {
		return err
	}
	if *listen != "" || *data != "" || *metricsListen != "" {
		if *listen != "" {
			cfg.Listen = *listen
		}
		if *metricsListen != "" {
			cfg.MetricsListen = *metricsListen
		}
		if *data != "" {
			cfg.DataDir = *data
		}
		if err := cfg.Validate(); err != nil {
			return err
		}
	}
	if *migrate {
		cfg.Migrate = true
	}
	log := newLogger(cfg.Log, stderr)
	if *profile != "" {
		stop, err := startProfiler(*profile, log)
		if err != nil {
			return err
		}
		defer stop()
	}
	return outdatedHint(runServer(ctx, cfg, log, ready), *configPath, *data)
}

func runServer(ctx context.Context, cfg config.Config, log *slog.Logger, ready func(string)) error {
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Listen, err)
	}
	defer ln.Close()
	if kind, db := cfg.Store(); kind == config.SQLite {
		// Shared: other servers may use the store too; restore takes it
		// exclusively and so never writes under a running server.
		unlock, err := lockStoreDir(db, false)
		if errors.Is(err, errStoreInUse) {
			return fmt.Errorf("%s: otpd restore is writing into it: start the server when it is done", filepath.Dir(db))
		}
		if err != nil {
			return err
		}
		defer unlock()
	}
	if cfg.PublicURL == "" {
		// With port 0 the port is known only now; links must carry it.
		cfg.PublicURL = "http://" + ln.Addr().String()
	}
	a, err := newApp(ctx, cfg, log, otpd.SystemClock{})
	if err != nil {
		return err
	}
	defer func() {
		if err := a.close(); err != nil {
			log.Error("close store", "err", err)
		}
	}()
	srv := &http.Server{
		Handler:           a.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	stopMetrics, err := serveMetrics(cfg, log, a.metrics)
	if err != nil {
		return err
	}
	defer stopMetrics()
	addr := ln.Addr().String()
	log.Info("otpd listening", "url", "http://"+addr+"/", "data", cfg.DataDir, "public_url", cfg.PublicOrigin(),
		"version", buildinfo.Read().Version)
	if a.mailbox != nil {
		warnDevMailbox(log, cfg.PublicOrigin())
	}

	// The outbox worker and the retention job run until the server stops.
	workerDone, prunerDone := make(chan error, 1), make(chan error, 1)
	bgCtx, stopBackground := context.WithCancel(context.Background())
	defer stopBackground()
	go func() { workerDone <- a.worker.Run(bgCtx) }()
	go func() { prunerDone <- a.pruner.Run(bgCtx) }()
	keysDone := make(chan struct{})
	go func() { defer close(keysDone); a.rotateKeys(bgCtx, log) }()
	hooksDone := make(chan struct{})
	go func() { defer close(hooksDone); a.deliverWebhooks(bgCtx) }()

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	if ready != nil {
		ready(addr)
	}

	select {
	case err = <-served:
	case <-ctx.Done():
		log.Info("otpd stopping")
		shutCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
		err = srv.Shutdown(shutCtx)
		cancel()
	}
	stopBackground()
	if werr := <-workerDone; werr != nil && !errors.Is(werr, context.Canceled) {
		log.Error("mail worker stopped", "err", werr)
	}
	if perr := <-prunerDone; perr != nil {
		log.Error("retention stopped", "err", perr)
	}
	<-keysDone
	<-hooksDone
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// keyCheckEvery is how often the server checks whether the OpenID
// Connect signing key is due to be replaced: rotation is measured in
// weeks and the next key prepublished a day ahead, so an hour is plenty.
const keyCheckEvery = time.Hour

// rotateKeys adds the next signing key when it is due, every
// keyCheckEvery until ctx ends; every node runs it, and the store lets
// one of them rotate. A failure is logged and tried again next time: the
// current key keeps signing meanwhile.
func (a *app) rotateKeys(ctx context.Context, log *slog.Logger) {
	if a.oidc == nil {
		return
	}
	t := time.NewTicker(keyCheckEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		rotated, err := a.oidc.RotateKeys(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			log.Error("rotate the OpenID Connect signing key", "err", err)
		case rotated:
			log.Info("a new OpenID Connect signing key is published; it signs once prepublished")
		}
	}
}

// warnDevMailbox says, where nobody can miss it, that mail is not sent:
// at warn, in capitals, through the logger, so that JSON logs stay JSON.
func warnDevMailbox(log *slog.Logger, public string) {
	log.Warn("MAIL IS NOT SENT. No SMTP server is configured, so every message, codes included, "+
		"is kept in the dev mailbox, in the database. Do not let real people sign in to this server.",
		"mailbox", public+"/dev/mailbox")
}
