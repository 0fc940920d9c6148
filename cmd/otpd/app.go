package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/admin"
	"github.com/otpd/otpd/catalog"
	"github.com/otpd/otpd/config"
	"github.com/otpd/otpd/limit"
	"github.com/otpd/otpd/limit/redislimit"
	"github.com/otpd/otpd/mail"
	"github.com/otpd/otpd/metrics"
	"github.com/otpd/otpd/oidcop"
	"github.com/otpd/otpd/passcode"
	"github.com/otpd/otpd/password"
	"github.com/otpd/otpd/postgres"
	"github.com/otpd/otpd/retention"
	"github.com/otpd/otpd/risk"
	"github.com/otpd/otpd/signin"
	"github.com/otpd/otpd/sqlite"
	"github.com/otpd/otpd/web"
	"github.com/otpd/otpd/web/edge"
	"github.com/otpd/otpd/web/forward"
	"github.com/otpd/otpd/webhook"
)

// app is the server's parts, wired.
type app struct {
	store   otpd.Store
	engine  *signin.Engine
	worker  *mail.Worker
	pruner  *retention.Job
	mailbox *mail.DevMailbox
	// oidc is the OpenID Connect provider; nil when it is off.
	oidc    *oidcop.Provider
	handler http.Handler
	// redis pings the Redis the limits are shared through; nil without.
	redis pinger
	// metrics are served on their own listener; nil when they are off.
	metrics *metrics.Metrics
	// hooks delivers the webhooks; nil when none is configured.
	hooks *webhook.Worker
	// closers release what the app opened, last opened first closed.
	closers []func() error
}

func newApp(ctx context.Context, cfg config.Config, log *slog.Logger, clock otpd.Clock) (_ *app, err error) {
	a := &app{}
	defer func() {
		if err != nil {
			err = errors.Join(err, a.close())
		}
	}()
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	book, secret, err := openBook(cfg, log)
	if err != nil {
		return nil, err
	}
	public, err := url.Parse(cfg.PublicOrigin())
	if err != nil {
		return nil, fmt.Errorf("public_url: %w", err)
	}
	cat, err := catalog.Load(cfg.Language.MessagesDir, cfg.Language.Default)
	if err != nil {
		return nil, fmt.Errorf("language: %w", err)
	}
	if a.store, err = openStore(ctx, cfg, log); err != nil {
		return nil, err
	}
	a.closers = append(a.closers, a.store.Close)
	a.metrics = newMetrics(cfg, log, a.store, clock)
	if a.hooks, err = openWebhooks(cfg, secret, a.store, clock, log); err != nil {
		return nil, err
	}
	limiter, err := openLimiter(ctx, cfg, log, a)
	if err != nil {
		return nil, err
	}
	out, err := newOutgoing(cfg, log, a.store, book)
	if err != nil {
		return nil, err
	}
	a.mailbox = out.mailbox
	a.closers = append(a.closers, out.close)
	composer := &mail.Composer{
		From:          cfg.Mail.From,
		PublicURL:     cfg.PublicOrigin(),
		Product:       "otpd",
		CodeInSubject: cfg.Mail.CodeInSubject,
		TemplateDir:   cfg.Mail.TemplatesDir,
		Lang:          cfg.Language.Default,
	}
	if err := composer.Check(); err != nil {
		return nil, fmt.Errorf("mail.templates_dir: %w", err)
	}
	a.worker = &mail.Worker{Store: a.store, Mailer: out.mailer, Composer: composer, Open: book.Open, Clock: clock, Log: log}
	a.pruner = &retention.Job{Store: a.store, Clock: clock, Log: log, Ages: retentionAges(cfg),
		Interval: time.Duration(cfg.Retention.Interval)}
	locator, credit, err := openGeoIP(cfg, log, a)
	if err != nil {
		return nil, err
	}
	apps := configApps(cfg.Clients, time.Time{})
	// The methods' secrets (an authenticator app's) are sealed under a
	// key of their own, derived from the server secret.
	secrets, err := passcode.NewSealer(secret, methodSecretsLabel)
	if err != nil {
		return nil, err
	}
	deps := signin.Deps{Store: a.store, Codes: book, Clock: clock, Limiter: limiter, Locator: locator,
		Passwords: passwords(cfg), Log: log, Queued: a.worker.Notify, Apps: apps, Secrets: secrets}
	if a.metrics != nil {
		deps.Observer, a.worker.Observer = a.metrics, a.metrics
	}
	a.engine = signin.New(deps, policy(cfg, public.Hostname(), cat.Tags()))
	returns, fwd, err := forwardAuth(cfg)
	if err != nil {
		return nil, err
	}
	opts := web.Options{Engine: a.engine, Clock: clock, Log: log, TrustedProxies: cfg.TrustedNetworks(),
		PasswordMinLength: cfg.Password.MinLength, PlacesCredit: web.Credit(credit),
		Returns: returns, CookieDomain: cfg.ForwardAuth.CookieDomain, Forward: fwd, Catalog: cat}
	opts.Admin = admin.New(admin.Options{Store: a.store, Clock: clock, Log: log})
	opts.Checks = readinessChecks(cfg, log, a.store, a.redis, clock)
	// The keys newOutgoing signs with, made by it on a first start.
	keys, err := checkKeys(cfg)
	if err != nil {
		return nil, err
	}
	if opts.Checker, err = newChecker(cfg, book, keys, a.store); err != nil {
		return nil, err
	}
	opts.RequestLog = requestLogLevel(cfg.Log)
	if out.mailbox != nil {
		opts.Mailbox = out.mailbox
	}
	if a.metrics != nil {
		opts.Requests = a.metrics
		a.metrics.WatchBreaker(a.engine.Breaker)
	}
	// The provider shows a request it cannot send back to its app on the
	// web's error page, and the web mounts the provider: the page is
	// reached through srv, set once both exist.
	var srv *web.Server
	authorizeError := func(w http.ResponseWriter, r *http.Request, err error) { srv.AuthorizeError(w, r, err) }
	if a.oidc, err = openProvider(ctx, cfg, public, a.store, apps, secret, clock, log, authorizeError); err != nil {
		return nil, err
	}
	if a.oidc != nil {
		opts.OIDC = a.oidc
	}
	srv = web.New(opts)
	a.handler = srv.Handler()
	return a, nil
}

// openProvider makes the OpenID Connect provider, with otpd's public URL
// as its issuer. Apps check the issuer of every ID token, and the
// library accepts one over plain http on loopback only: on another plain
// http public_url the provider is off, which is an error only when
// [[clients]] declare apps that need it.
func openProvider(ctx context.Context, cfg config.Config, public *url.URL, store otpd.Store, apps []otpd.App,
	secret []byte, clock otpd.Clock, log *slog.Logger, authorizeError func(http.ResponseWriter, *http.Request, error)) (*oidcop.Provider, error) {
	if public.Scheme != "https" && !loopbackHost(public.Hostname()) {
		if len(cfg.Clients) > 0 {
			return nil, fmt.Errorf("clients: OpenID Connect needs an https public_url (http only on loopback), got %q", cfg.PublicOrigin())
		}
		log.Info("OpenID Connect is off: public_url is plain http", "public_url", cfg.PublicOrigin())
		return nil, nil
	}
	o := cfg.OIDC
	p, err := oidcop.New(ctx, oidcop.Options{
		Issuer: cfg.PublicOrigin(), Store: store, Apps: apps, Secret: secret, Clock: clock,
		SigningAlg: o.SigningAlg, KeyRotation: time.Duration(o.KeyRotation), KeyPrepublish: time.Duration(o.KeyPrepublish),
		Lifetimes: oidcop.Lifetimes{IDToken: time.Duration(o.IDTokenLifetime), AccessToken: time.Duration(o.AccessTokenLifetime),
			RefreshToken: time.Duration(o.RefreshTokenLifetime), RefreshIdle: time.Duration(o.RefreshIdle)},
		ClientIP:       (&edge.Edge{Proxies: cfg.TrustedNetworks()}).ClientIP,
		AuthorizeError: authorizeError,
	})
	if err != nil {
		return nil, fmt.Errorf("oidc: %w", err)
	}
	return p, nil
}

// loopbackHost reports whether host names this machine only.
func loopbackHost(host string) bool {
	ip, err := netip.ParseAddr(host)
	return host == "localhost" || err == nil && ip.IsLoopback()
}

// forwardAuth returns the origins the pages may return to and, when
// forward auth is on, its options.
func forwardAuth(cfg config.Config) (edge.Returns, *forward.Options, error) {
	returns, err := edge.NewReturns(cfg.ReturnOrigins())
	if err != nil {
		return edge.Returns{}, nil, fmt.Errorf("return_to: %w", err)
	}
	fa := cfg.ForwardAuth
	if !fa.Enabled {
		return returns, nil, nil
	}
	o := &forward.Options{Headers: forward.Headers(fa.Headers), UserHeader: fa.UserHeader, EmailHeader: fa.EmailHeader, SignIn: cfg.PublicOrigin()}
	for _, h := range fa.Hosts {
		// Check gives the origin in the form the handler looks up.
		_, origin, ok := returns.Check(strings.TrimSuffix(h.Origin, "/") + "/")
		if !ok {
			return edge.Returns{}, nil, fmt.Errorf("forward_auth.hosts: %q is not an origin", h.Origin)
		}
		o.Hosts = append(o.Hosts, forward.Host{Origin: origin, Policy: otpd.AccessPolicy{
			Accounts: h.Accounts, Domains: h.Domains, AnyAccount: h.AnyAccount, FreshCode: h.FreshCode}})
	}
	return returns, o, nil
}

// openBook returns the codes' book and the server secret it is made
// from, which the OpenID Connect provider derives its keys from too.
func openBook(cfg config.Config, log *slog.Logger) (*passcode.Book, []byte, error) {
	secret, created, err := passcode.LoadOrCreateSecret(cfg.SecretPath())
	if err != nil {
		return nil, nil, err
	}
	if created {
		log.Info("created a new server secret; keep it with the database", "file", cfg.SecretPath())
	}
	book, err := passcode.New(secret, cfg.Code.Digits)
	return book, secret, err
}

// openStore opens the store the configuration names, upgrading an older
// schema first when cfg.Migrate allows it.
func openStore(ctx context.Context, cfg config.Config, log *slog.Logger) (otpd.Store, error) {
	if cfg.Migrate {
		ops := schemaOf(cfg)
		applied, err := ops.up(ctx)
		for _, m := range applied {
			log.Info("applied a database migration", "migration", m.Name, "database", ops.name)
		}
		if err != nil {
			return nil, err
		}
	}
	kind, where := cfg.Store()
	if kind == config.Postgres {
		s, err := postgres.Open(ctx, where)
		if err != nil {
			return nil, err
		}
		s.SetMaxConns(cfg.DatabaseConnections)
		log.Info("state is kept in PostgreSQL", "max_connections", cfg.DatabaseConnections)
		return s, nil
	}
	return sqlite.Open(ctx, where)
}

// openLimiter keeps the per-client limits in Redis when several nodes
// must share them, and in memory otherwise.
func openLimiter(ctx context.Context, cfg config.Config, log *slog.Logger, a *app) (otpd.Limiter, error) {
	if cfg.Redis == "" {
		return limit.NewMemory(), nil
	}
	client, err := redislimit.Open(ctx, cfg.Redis)
	if err != nil {
		return nil, fmt.Errorf("redis: %w", err)
	}
	a.closers = append(a.closers, client.Close)
	a.redis = func(ctx context.Context) error { return client.Ping(ctx).Err() }
	log.Info("rate limits are shared through Redis")
	return redislimit.New(client, "otpd:"), nil
}

// openGeoIP opens the configured GeoIP databases, and says what their
// licence asks the pages to credit; without any, places are unknown.
func openGeoIP(cfg config.Config, log *slog.Logger, a *app) (otpd.Locator, risk.Credit, error) {
	if len(cfg.GeoIP) == 0 {
		log.Info("no GeoIP database configured; places are unknown")
		return nil, risk.Credit{}, nil
	}
	g, err := risk.OpenGeoIP(cfg.GeoIP...)
	if err != nil {
		return nil, risk.Credit{}, fmt.Errorf("geoip: %w", err)
	}
	a.closers = append(a.closers, g.Close)
	return g, g.Credit(), nil
}

// passwords hashes with the configured costs, at most one hash per core
// at a time: each holds its memory cost while it runs.
func passwords(cfg config.Config) *password.Checker {
	h := password.Hasher{Params: password.Params{
		Memory: uint32(cfg.Password.MemoryKiB), Iterations: uint32(cfg.Password.Iterations),
		Parallelism: uint8(cfg.Password.Parallelism), SaltLen: password.DefaultParams.SaltLen, KeyLen: password.DefaultParams.KeyLen,
	}}
	return password.NewChecker(h, password.Policy{MinLength: cfg.Password.MinLength, MaxLength: password.DefaultPolicy.MaxLength},
		runtime.GOMAXPROCS(0), cfg.Password.MaxWaiting)
}

// methodSecretsLabel names the key that seals the methods' secrets.
const methodSecretsLabel = "otpd/v1/method-secrets"

func policy(cfg config.Config, host string, languages []string) signin.Policy {
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
			Free:     cfg.Limits.LockoutAfter,
			Backoff:  time.Duration(cfg.Limits.LockoutBackoff),
		},
		GuessFamiliar: otpd.GuessLimits{
			MaxWrong: cfg.Limits.WrongCodesPerAccount,
			Window:   time.Duration(cfg.Limits.WrongCodesWindow),
		},
		Clients: signin.ClientLimits{
			PerIP:               otpd.Rate{Count: cfg.Limits.CodesPerIPPerHour, Per: time.Hour},
			PerNetwork:          otpd.Rate{Count: cfg.Limits.CodesPerNetworkPerHour, Per: time.Hour},
			Messages:            otpd.Rate{Count: cfg.Limits.MessagesPerMinute, Per: time.Minute},
			PasswordsPerIP:      otpd.Rate{Count: cfg.Limits.PasswordsPerIPPerHour, Per: time.Hour},
			PasswordsPerNetwork: otpd.Rate{Count: cfg.Limits.PasswordsPerNetworkPerHour, Per: time.Hour},
		},
		FailedGuesses: otpd.Rate{Count: cfg.Limits.FailedGuessesPerHour, Per: time.Hour},
		BreakerPause:  time.Duration(cfg.Limits.BreakerPause),
		Flood: signin.FloodPolicy{
			Networks: cfg.Limits.FloodNetworks,
			Window:   time.Duration(cfg.Limits.FloodWindow),
			For:      time.Duration(cfg.Limits.FloodFor),
		},
		SessionIdle:     time.Duration(cfg.Session.Idle),
		SessionAbsolute: time.Duration(cfg.Session.Absolute),
		StepUpFor:       time.Duration(cfg.Session.StepUp),
		MaxTravelKMH:    float64(cfg.Risk.MaxTravelKMH),
		GuardFor:        time.Duration(cfg.Risk.GuardAfterReport),
		SignUp:          cfg.SignUp,
		MessageIDDomain: host,
		Issuer:          host,
		Languages:       languages,
	}
}

// retentionAges are the configured ages; wrong-code counts are kept while
// their window, the one the limits set, is open.
func retentionAges(cfg config.Config) otpd.PruneRequest {
	return otpd.PruneRequest{
		Events:      time.Duration(cfg.Retention.Events),
		Challenges:  time.Duration(cfg.Retention.Challenges),
		Sessions:    time.Duration(cfg.Retention.Sessions),
		GuessWindow: time.Duration(cfg.Limits.WrongCodesWindow),
	}
}

func (a *app) close() error {
	var errs []error
	for _, c := range slices.Backward(a.closers) {
		errs = append(errs, c())
	}
	a.closers = nil
	return errors.Join(errs...)
}
