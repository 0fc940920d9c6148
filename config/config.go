// Package config is otpd's configuration: one typed struct with defaults,
// filled from a TOML file and then the environment (cmd applies flags last),
// and validated with every problem reported at once.
//
// Nothing here is global: Load returns a Config value and cmd passes the parts
// each package needs to it explicitly. A Config is a plain value; it is safe to
// copy and to read from many goroutines.
//
// Every default carries its reason beside it, and otpd.example.toml repeats
// them for operators; a test keeps the two equal.
package config

import (
	"math"
	"net"
	"path/filepath"
	"strings"
	"time"
)

// Config is the whole configuration of one otpd server. The toml tags are the
// keys of the file; each key can also be set from the environment as OTPD_
// followed by the key in upper case with dots as underscores (code.digits is
// OTPD_CODE_DIGITS).
type Config struct {
	// Listen is the host:port the HTTP server listens on.
	Listen string `toml:"listen"`
	// DataDir holds the SQLite database (otpd.db) and, by default, the
	// server secret (secret.key).
	DataDir string `toml:"data_dir"`
	// PublicURL is the origin put into links in emails (sign-in links, "this
	// wasn't me"). It is configured, never derived from a request's Host
	// header: anyone can send any Host, and a link built from it would point
	// a victim's email at the attacker's site. Empty means "http://" +
	// Listen, which suits local development only; see PublicOrigin.
	PublicURL string `toml:"public_url"`
	// SecretFile is the server secret that keys the code HMACs. Empty means
	// DataDir/secret.key; see SecretPath.
	SecretFile string `toml:"secret_file"`
	// SignUp lets an address without an account create one by verifying a
	// code. "Send me a code" answers the same either way (ARCHITECTURE.md
	// invariant 6), so closing sign-up does not reveal who has an account.
	SignUp bool `toml:"sign_up"`
	// Database is where state lives: empty for SQLite in DataDir,
	// "sqlite:PATH", or "postgres://..." for more than one node.
	Database string `toml:"database"`
	// DatabaseConnections bounds the connections one node opens to
	// PostgreSQL; requests beyond it wait for one.
	DatabaseConnections int `toml:"database_connections"`
	// Redis, "redis://host:6379/0", holds the rate limits that several
	// nodes must share; empty keeps them in memory (one node).
	Redis string `toml:"redis"`
	// TrustedProxies are the networks (CIDR) whose X-Forwarded-For is
	// believed. The client's IP is the rightmost address in that header
	// that is not itself a trusted proxy.
	TrustedProxies []string `toml:"trusted_proxies"`
	// GeoIP lists MaxMind-format .mmdb files (city or country level),
	// asked in order; DB-IP's free city database comes as one IPv4 and
	// one IPv6 file. Empty: every place is unknown, and everything still
	// works.
	GeoIP []string `toml:"geoip"`
	// Migrate lets the server upgrade an older database schema at start.
	// Without it a server refuses an older schema and names the command
	// that upgrades it; a new, empty database is created either way.
	Migrate bool `toml:"migrate"`

	Code      CodeConfig      `toml:"code"`
	Password  PasswordConfig  `toml:"password"`
	Risk      RiskConfig      `toml:"risk"`
	Limits    LimitsConfig    `toml:"limits"`
	Session   SessionConfig   `toml:"session"`
	Retention RetentionConfig `toml:"retention"`
	Log       LogConfig       `toml:"log"`
	SMTP      SMTPConfig      `toml:"smtp"`
	Mail      MailConfig      `toml:"mail"`
	DKIM      DKIMConfig      `toml:"dkim"`
}

// SMTPConfig is the relay that delivers mail. With no URL, mail goes to the
// pickup directory if one is set, and otherwise to the dev mailbox.
type SMTPConfig struct {
	// URL is smtp://user:pass@host:587 (STARTTLS) or
	// smtps://user:pass@host:465 (implicit TLS).
	URL string `toml:"url"`
	// TLS is require, opportunistic or none (loopback hosts only). Empty
	// means require, or opportunistic for a relay on loopback.
	TLS string `toml:"tls"`
	// Timeout bounds each connection and command.
	Timeout Duration `toml:"timeout"`
}

// MailConfig shapes the messages.
type MailConfig struct {
	// From is the From header, "Example Accounts <accounts@example.com>".
	// Its domain signs the mail (DKIM d=).
	From string `toml:"from"`
	// CodeInSubject puts the code in the subject line too.
	CodeInSubject bool `toml:"code_in_subject"`
	// TemplatesDir overrides embedded templates file by file.
	TemplatesDir string `toml:"templates_dir"`
	// PickupDir, when set and SMTP is not, receives each message as an
	// .eml file for a local MTA to send.
	PickupDir string `toml:"pickup_dir"`
}

// DKIMConfig is the key that proves mail comes from us.
type DKIMConfig struct {
	// KeyFile is a PEM private key (RSA, 2048 bits or more; PKCS#1 or
	// PKCS#8). Empty means DataDir/dkim-rsa.key, made on first start.
	KeyFile string `toml:"key_file"`
	// Ed25519KeyFile adds a second, Ed25519 signature (RFC 8463).
	Ed25519KeyFile string `toml:"ed25519_key_file"`
	// Selector names the key in DNS: SELECTOR._domainkey.DOMAIN.
	Selector string `toml:"selector"`
	// Domain is the signing domain, d=. Empty means the From domain; when
	// set, the From domain must be it or below it (DMARC alignment).
	Domain string `toml:"domain"`
}

// CodeConfig shapes each single-use code.
type CodeConfig struct {
	// Digits is the length of a code, drawn uniformly from crypto/rand.
	Digits int `toml:"digits"`
	// Lifetime is how long a code can be used after it is sent.
	Lifetime Duration `toml:"lifetime"`
	// MaxAttempts is how many wrong tries kill one code.
	MaxAttempts int `toml:"max_attempts"`
}

// LimitsConfig bounds the codes one address receives and the wrong codes one
// account can absorb.
type LimitsConfig struct {
	// CodesPerHour and CodesPerDay cap the codes sent to one address.
	CodesPerHour int `toml:"codes_per_hour"`
	CodesPerDay  int `toml:"codes_per_day"`
	// ResendCooldown is the least time between a code and its resend.
	ResendCooldown Duration `toml:"resend_cooldown"`
	// WrongCodesPerAccount wrong codes within WrongCodesWindow lock the
	// account's code sign-in, across all its flows: a new code never
	// resets the count.
	WrongCodesPerAccount int      `toml:"wrong_codes_per_account"`
	WrongCodesWindow     Duration `toml:"wrong_codes_window"`
	// CodesPerIPPerHour and CodesPerNetworkPerHour (IPv4 /24, IPv6 /64)
	// bound the codes one source asks for, whatever the addresses; 0
	// turns a limit off.
	CodesPerIPPerHour      int `toml:"codes_per_ip_per_hour"`
	CodesPerNetworkPerHour int `toml:"codes_per_network_per_hour"`
	// MessagesPerMinute is the service-wide ceiling on messages sent.
	MessagesPerMinute int `toml:"messages_per_minute"`
	// PasswordsPerIPPerHour and PasswordsPerNetworkPerHour bound password
	// attempts from one source across all accounts (credential
	// stuffing); 0 turns a limit off.
	PasswordsPerIPPerHour      int `toml:"passwords_per_ip_per_hour"`
	PasswordsPerNetworkPerHour int `toml:"passwords_per_network_per_hour"`
	// After LockoutAfter failures (wrong codes and passwords) from
	// devices an account does not know, each further one locks those
	// devices out for LockoutBackoff, doubled every time. The owner's
	// remembered devices count their failures apart and are not locked
	// out by them.
	LockoutAfter   int      `toml:"lockout_after"`
	LockoutBackoff Duration `toml:"lockout_backoff"`
	// FailedGuessesPerHour is the whole service's budget of failed
	// guesses (wrong codes and passwords) from devices the accounts do not
	// know. When it is spent, an attack is under way: sign-in from such
	// devices pauses for BreakerPause at a time, the operator is alerted,
	// and it resumes by itself as the budget refills. 0 turns it off.
	FailedGuessesPerHour int      `toml:"failed_guesses_per_hour"`
	BreakerPause         Duration `toml:"breaker_pause"`
	// Floods against one account: code requests for it from
	// FloodNetworks distinct networks (/24, /64) within FloodWindow mark
	// it under attack for FloodFor: codes for unfamiliar requesters are
	// then held back, the owner is told once, and a remembered device
	// still signs in. 0 turns it off.
	FloodNetworks int      `toml:"flood_networks"`
	FloodWindow   Duration `toml:"flood_window"`
	FloodFor      Duration `toml:"flood_for"`
}

// PasswordConfig shapes the optional passwords: how they are hashed
// (argon2id) and which are refused.
type PasswordConfig struct {
	// MinLength is the fewest characters a new password may have.
	MinLength int `toml:"min_length"`
	// MemoryKiB, Iterations and Parallelism are argon2id's costs. A
	// stored hash made with other costs is re-hashed at the next sign-in.
	MemoryKiB   int `toml:"memory_kib"`
	Iterations  int `toml:"iterations"`
	Parallelism int `toml:"parallelism"`
	// MaxWaiting is how many password checks may wait for a core while
	// one runs on each; a check past that is refused at once (busy,
	// 429), so that a crowd of them cannot make sign-ins wait without
	// bound.
	MaxWaiting int `toml:"max_waiting"`
}

// RiskConfig decides when a right password is not enough.
type RiskConfig struct {
	// MaxTravelKMH: two sign-ins farther apart than this speed allows
	// make the second one need a code.
	MaxTravelKMH int `toml:"max_travel_kmh"`
	// GuardAfterReport is how long every password sign-in needs a code
	// after the owner reports a code they did not ask for.
	GuardAfterReport Duration `toml:"guard_after_report"`
}

// SessionConfig sets when a session token stops working.
type SessionConfig struct {
	// Idle ends a session unused for this long.
	Idle Duration `toml:"idle"`
	// Absolute ends every session this long after sign-in, however busy.
	Absolute Duration `toml:"absolute"`
	// StepUp is how long a code verified in a session lets it make
	// sensitive changes (password, sign-in settings, signing out
	// everywhere).
	StepUp Duration `toml:"step_up"`
}

// RetentionConfig says how long what has ended is kept before the server
// deletes it. Each age counts from when the thing ended: an event from
// when it happened, a challenge from its expiry, a session from its end
// or absolute expiry. "0s" keeps that kind for ever.
type RetentionConfig struct {
	// Events is how long the security record is kept, code requests
	// included.
	Events Duration `toml:"events"`
	// Challenges is how long an expired code's record (not the code: only
	// its HMAC) and its delivered message's are kept.
	Challenges Duration `toml:"challenges"`
	// Sessions is how long an ended or expired session's row is kept.
	Sessions Duration `toml:"sessions"`
	// Interval is how often the server deletes; with several nodes one of
	// them does it each time.
	Interval Duration `toml:"interval"`
}

// LogConfig chooses what the server logs and how.
type LogConfig struct {
	// Level is debug, info, warn or error.
	Level string `toml:"level"`
	// Format is text (for people) or json (for log collectors).
	Format string `toml:"format"`
}

// Default returns the configuration otpd runs with when nothing is set. Each
// value's reason is written beside it.
func Default() Config {
	return Config{
		// Loopback only: a fresh install is not reachable from the network
		// until someone puts a TLS-terminating proxy in front on purpose.
		Listen: "127.0.0.1:8080",
		// One folder next to where otpd runs: one thing to back up.
		DataDir: "./otpd-data",
		// Empty: derived from Listen, right for a local try-out; a real
		// deployment must set its https origin.
		PublicURL: "",
		// Empty: DataDir/secret.key. Point it at a separate secret mount
		// so a copy of the database alone cannot brute-force stored code
		// HMACs.
		SecretFile: "",
		// Open sign-up: an address proves itself by receiving a code, which
		// is the point of a code-based sign-in. Close it for invite-only use.
		SignUp: true,
		// Requests for one address wait on its lock anyway, and a few
		// connections keep a small PostgreSQL busy; 10 lets nine nodes
		// share PostgreSQL's default max_connections (100) with room
		// for admin tools. Unbounded, a burst exhausts it.
		DatabaseConnections: 10,
		// No proxy is trusted until named: anyone can send
		// X-Forwarded-For.
		TrustedProxies: []string{},
		// No database: places are unknown until you install one (see the
		// README); sign-in works the same without.
		GeoIP: []string{},
		// Off: an upgrade is a step an operator takes on purpose, after a
		// backup and once every node runs the new otpd (an older node
		// may not work on a newer schema). otpd migrate up takes it.
		Migrate: false,
		Code: CodeConfig{
			// 9 digits with at most 10 wrong codes per account per 12 h: at
			// most 10*(60+1) = 610 guesses in 30 days, so the chance of
			// guessing one targeted account's code in 30 days is
			// 610/10^9 = 6.1e-7, below the 1e-6 goal in ARCHITECTURE.md. Six
			// digits would give 6.1e-4.
			Digits: 9,
			// ASVS 4.0.3 §2.7.2: out-of-band codes expire after 10 minutes.
			// Long enough for slow mail, short enough that a code read
			// later from a mailbox is dead.
			Lifetime: Duration(10 * time.Minute),
			// A few typos are human; more than five on one code is
			// guessing. The per-account cap below bounds the total anyway.
			MaxAttempts: 5,
		},
		Limits: LimitsConfig{
			// Enough for a lost or slow email and a couple of resends,
			// while anyone who knows an address can make it receive at
			// most 10 codes a day: per-address caps bound email bombing.
			CodesPerHour: 5,
			CodesPerDay:  10,
			// Mail usually arrives within seconds; 30 s stops hammering
			// the resend button without making a person wait long.
			ResendCooldown: Duration(30 * time.Second),
			// Counted per account across flows and never reset by a new
			// code (AuthQuake: fresh sessions must not mean fresh
			// guesses). With 9 digits this gives the 6.1e-7 bound above.
			WrongCodesPerAccount: 10,
			WrongCodesWindow:     Duration(12 * time.Hour),
			// A person needs a few codes an hour; 30 from one IP is a
			// family or a small office signing in, more is a script.
			// Behind a proxy, set trusted_proxies, or every client
			// shares the proxy's IP.
			CodesPerIPPerHour: 30,
			// A /24 or /64 is one household or one cloud host: four
			// times an IP, so one network cannot rotate through its
			// addresses to bomb inboxes.
			CodesPerNetworkPerHour: 120,
			// Far above a morning rush of a mid-size service (300 a
			// minute is 18,000 an hour), far below what gets a sending
			// domain listed as a spammer.
			MessagesPerMinute: 300,
			// A person types a password a few times a day; a leaked list
			// tried from one IP is hundreds an hour. 30 and 120 (a
			// network of four addresses' worth) match the code limits.
			PasswordsPerIPPerHour:      30,
			PasswordsPerNetworkPerHour: 120,
			// Three typos are human. After them an unfamiliar device
			// waits 1, 2, 4, 8... minutes between failures, so guessing
			// slows to a crawl long before the 12-hour budget is spent,
			// while the owner's remembered device is not held up at all.
			LockoutAfter:   3,
			LockoutBackoff: Duration(time.Minute),
			// 5,000 failed guesses an hour is far above the typos of a
			// busy service, and bounds a botnet that spreads guesses over
			// every account to 3.6 million a month: with 9 digits, 0.0036
			// accounts lost, below the 0.01 goal. Per-account limits
			// alone allow 0.61.
			FailedGuessesPerHour: 5000,
			// Long enough to make an attack slow, short enough that a
			// person on a new device tries again within a minute.
			BreakerPause: Duration(time.Minute),
			// Requests from 3 networks within 15 minutes is no person: a
			// person retries from one or two (home and phone).
			FloodNetworks: 3,
			FloodWindow:   Duration(15 * time.Minute),
			// A day of holding back codes for strangers, renewed while
			// the flood lasts.
			FloodFor: Duration(24 * time.Hour),
		},
		Password: PasswordConfig{
			// NIST SP 800-63B-4: at least 15 characters for a password
			// that signs in on its own, which ours does on a remembered
			// device. No composition rules; common passwords are refused.
			MinLength: 15,
			// OWASP's argon2id setting m=19 MiB, t=2, p=1: about 35 ms on
			// one core here, so a 2-core server checks ~50 a second.
			MemoryKiB:   19456,
			Iterations:  2,
			Parallelism: 1,
			// 16 waiting on 2 cores is at most about 300 ms of waiting
			// for a core, on top of the check itself.
			MaxWaiting: 16,
		},
		Risk: RiskConfig{
			// Faster than an airliner: a sign-in from Lagos 20 minutes
			// after one from London is someone else.
			MaxTravelKMH: 1000,
			// A day of asking every password sign-in for a code too,
			// after the owner says someone else asked for one.
			GuardAfterReport: Duration(24 * time.Hour),
		},
		Session: SessionConfig{
			// A weekend away keeps a person signed in, while a stolen token
			// left unused for three days dies.
			Idle: Duration(72 * time.Hour),
			// Even a stolen token kept busy dies within 30 days; signing in
			// again once a month costs one code.
			Absolute: Duration(720 * time.Hour),
			// 10 minutes after confirming with a code, long enough to
			// make a few changes, too short for a forgotten tab to be a
			// standing permission.
			StepUp: Duration(10 * time.Minute),
		},
		Retention: RetentionConfig{
			// 400 days: the owner can read a whole year of who asked for
			// codes, and compare with the same month a year before; that
			// record is what otpd is for.
			Events: Duration(400 * 24 * time.Hour),
			// 30 days after expiry: a "this wasn't me" link in an old
			// email still finds its code and records the report. Never
			// under a day: the per-address daily cap counts these rows.
			Challenges: Duration(30 * 24 * time.Hour),
			// A week after it ended: long enough to look into an
			// incident while the row (IP, browser, times) is there; the
			// events keep the lasting record, and the token is dead.
			Sessions: Duration(7 * 24 * time.Hour),
			// Hourly: a row waits at most an hour past its age, and a
			// round is a few indexed deletes.
			Interval: Duration(time.Hour),
		},
		Log: LogConfig{
			// info: one line per notable event; debug is for development.
			Level: "info",
			// text reads well in a terminal; choose json for a collector.
			Format: "text",
		},
		SMTP: SMTPConfig{
			// A relay slower than this is down for a person waiting for
			// a code; the outbox retries later.
			Timeout: Duration(30 * time.Second),
		},
		Mail: MailConfig{
			// Good for the dev mailbox only: a real relay needs a domain
			// you own, so start-up refuses it together with smtp.url.
			From: DefaultFrom,
		},
		DKIM: DKIMConfig{
			// Any name works; this one tells DNS readers what it is for.
			Selector: "otpd",
		},
	}
}

// DefaultFrom is the From of a configuration that sets none.
const DefaultFrom = "otpd <no-reply@localhost>"

// DKIMKeyPath returns the RSA DKIM key file: KeyFile if set, otherwise
// DataDir/dkim-rsa.key.
func (c Config) DKIMKeyPath() string {
	if c.DKIM.KeyFile == "" {
		return filepath.Join(c.DataDir, "dkim-rsa.key")
	}
	return c.DKIM.KeyFile
}

// PublicOrigin returns the origin for links in emails, with no trailing
// slash: PublicURL if set, otherwise "http://" + Listen. It is never taken
// from a request's Host header (see PublicURL).
func (c Config) PublicOrigin() string {
	if c.PublicURL == "" {
		return "http://" + c.Listen
	}
	return strings.TrimSuffix(c.PublicURL, "/")
}

// SecretPath returns the server secret's file: SecretFile if set, otherwise
// secret.key in DataDir.
func (c Config) SecretPath() string {
	if c.SecretFile == "" {
		return filepath.Join(c.DataDir, "secret.key")
	}
	return c.SecretFile
}

// GuessBound30Days returns the worst-case chance that an attacker guesses the
// code of one targeted account within 30 days: G / 10^digits, where G is the
// most wrong codes the account absorbs in 30 days,
// wrong_codes_per_account * (ceil(30 days / window) + 1). The +1 allows for
// windows that straddle the start and end of the 30 days. Each guess is
// against a fresh uniform code at best, so the union bound is G / 10^digits.
// It is meaningful for a valid Config; for a window of zero it returns 1.
func (c Config) GuessBound30Days() float64 {
	window := time.Duration(c.Limits.WrongCodesWindow)
	if window <= 0 {
		return 1
	}
	const month = 30 * 24 * time.Hour
	windows := math.Ceil(float64(month)/float64(window)) + 1
	guesses := float64(c.Limits.WrongCodesPerAccount) * windows
	return math.Min(1, guesses/math.Pow10(c.Code.Digits))
}

// GuessesPerMonth bounds the failed guesses a botnet gets in 30 days when
// it spreads them over accounts accounts from as many IPs as it likes: each
// account absorbs at most its own budget (as in GuessBound30Days), and the
// whole service at most limits.failed_guesses_per_hour, whichever is less.
func (c Config) GuessesPerMonth(accounts int) float64 {
	const month = 30 * 24 * time.Hour
	perAccount := float64(accounts) * c.GuessBound30Days() * math.Pow10(c.Code.Digits)
	if c.Limits.FailedGuessesPerHour <= 0 {
		return perAccount
	}
	// +1 hour for the budget's burst at the start of the month.
	service := float64(c.Limits.FailedGuessesPerHour) * (month.Hours() + 1)
	return math.Min(perAccount, service)
}

// BotnetLoss is the expected number of accounts an attacker takes in 30
// days by spreading guesses over accounts accounts: each guess is right
// with a chance of at most 1 in 10^digits.
func (c Config) BotnetLoss(accounts int) float64 {
	return c.GuessesPerMonth(accounts) / math.Pow10(c.Code.Digits)
}

// listenHost returns the host part of Listen, or false if Listen is not
// host:port.
func (c Config) listenHost() (string, bool) {
	host, _, err := net.SplitHostPort(c.Listen)
	return host, err == nil
}
