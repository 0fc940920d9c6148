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
	"net"
	"path/filepath"
	"strings"
)

// Config is the whole configuration of one otpd server. The toml tags are the
// keys of the file; each key can also be set from the environment as OTPD_
// followed by the key in upper case with dots as underscores (code.digits is
// OTPD_CODE_DIGITS).
type Config struct {
	// Listen is the host:port the HTTP server listens on.
	Listen string `toml:"listen"`
	// MetricsListen is the host:port Prometheus scrapes /metrics from, a
	// listener of its own apart from Listen, so that the public port
	// never shows them; MetricsOff ("off") serves none.
	MetricsListen string `toml:"metrics_listen"`
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
	// ReturnTo are the origins (https://app.example.com) of first-party
	// apps that the sign-in pages may send a browser back to once it is
	// signed in (?return=URL); any other return target is ignored. With
	// forward auth on, its hosts are allowed too.
	ReturnTo []string `toml:"return_to"`

	Code      CodeConfig      `toml:"code"`
	Password  PasswordConfig  `toml:"password"`
	Risk      RiskConfig      `toml:"risk"`
	Limits    LimitsConfig    `toml:"limits"`
	Session   SessionConfig   `toml:"session"`
	Retention RetentionConfig `toml:"retention"`
	Log       LogConfig       `toml:"log"`
	Health    HealthConfig    `toml:"health"`
	SMTP      SMTPConfig      `toml:"smtp"`
	Mail      MailConfig      `toml:"mail"`
	DKIM      DKIMConfig      `toml:"dkim"`
	OIDC      OIDCConfig      `toml:"oidc"`
	// Clients are the apps that sign people in through otpd with OpenID
	// Connect, declared here; more can be added with `otpd clients add`.
	Clients []ClientConfig `toml:"clients"`
	// Webhooks are the endpoints told of events as they happen.
	Webhooks []WebhookConfig `toml:"webhooks"`

	ForwardAuth ForwardAuthConfig `toml:"forward_auth"`
	Language    LanguageConfig    `toml:"language"`
}

// LanguageConfig is the language of pages, emails and API messages.
type LanguageConfig struct {
	// Default is the language of a reader who chose none and whose
	// browser asks for none the catalogue has, and of every email to an
	// address whose account chose none: one of the catalogue's tags.
	Default string `toml:"default"`
	// MessagesDir replaces messages of the catalogue from <lang>.toml
	// files laid out like catalog/messages; start-up checks them.
	MessagesDir string `toml:"messages_dir"`
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
	// Previous are keys otpd signed with before a rotation: they sign
	// nothing, but "Check a message" and otpd inspect still know the
	// messages they signed as genuine.
	Previous []PreviousDKIMKey `toml:"previous"`
}

// PreviousDKIMKey is a key of the signing domain that no longer signs.
type PreviousDKIMKey struct {
	// Selector is the key's selector, as it signed (s=).
	Selector string `toml:"selector"`
	// KeyFile is the key, as dkim.key_file named it (RSA or Ed25519).
	KeyFile string `toml:"key_file"`
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
	// Requests is the level of the one line logged per request (debug,
	// info, warn), or off.
	Requests string `toml:"requests"`
}

// HealthConfig is what GET /readyz holds the server to.
type HealthConfig struct {
	// MaxQueueAge is the age past which a message still queued makes the
	// server not ready: mail is not leaving.
	MaxQueueAge Duration `toml:"max_queue_age"`
}

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

// MetricsOff is the metrics_listen that serves no metrics.
const MetricsOff = "off"

// MetricsOn reports whether the server serves metrics.
func (c Config) MetricsOn() bool { return c.MetricsListen != MetricsOff }

// listenHost returns the host part of Listen, or false if Listen is not
// host:port.
func (c Config) listenHost() (string, bool) {
	host, _, err := net.SplitHostPort(c.Listen)
	return host, err == nil
}
