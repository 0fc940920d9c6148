package config

import "time"

// Default returns the configuration otpd runs with when nothing is set. Each
// value's reason is written beside it.
func Default() Config {
	return Config{
		// Loopback only: a fresh install is not reachable from the network
		// until someone puts a TLS-terminating proxy in front on purpose.
		Listen: "127.0.0.1:8080",
		// Loopback, beside the public port, on the port Prometheus's
		// registry of default ports gives OpenTelemetry exporters: what
		// scrapes it runs on this host, or is let in on purpose.
		MetricsListen: "127.0.0.1:9464",
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
		// No app: a return target names where a signed-in browser is
		// sent, so each must be listed, or a link could send a person
		// who just typed a code to any site.
		ReturnTo: []string{},
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
			// info: one line per request is what an operator reads
			// when a person says sign-in failed; off or debug where a
			// proxy in front logs requests already.
			Requests: "info",
		},
		Health: HealthConfig{
			// 5 minutes: half a code's lifetime (code.lifetime, 10
			// minutes). A code that waited longer reaches its reader
			// nearly dead, so mail is not leaving; a relay's brief
			// refusal, retried within a minute or two, does not trip it.
			MaxQueueAge: Duration(5 * time.Minute),
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
		OIDC: defaultOIDC(),
		Language: LanguageConfig{
			// English: the language every message is written in first.
			// A reader's browser or account choice takes precedence.
			Default: "en",
		},
		ForwardAuth: ForwardAuthConfig{
			// Off: /auth/forward tells whoever asks who is signed in; it
			// is for a proxy the operator set up on purpose.
			Enabled: false,
			// nginx's X-Original-URL: the README's nginx configuration,
			// the one the tests run against a real nginx, which sets
			// the header itself and so replaces the client's. Caddy and
			// Traefik copy the client's headers to the question, so
			// they must say "forwarded", and the README's examples do;
			// no default can be right for both, and this one is the
			// tested one.
			Headers: ForwardOriginalURL,
			// Authelia's names, which apps that trust a proxy's
			// headers (Grafana, Gitea, ...) are usually told to read.
			UserHeader:  "Remote-User",
			EmailHeader: "Remote-Email",
			// Host-only: the session token goes to otpd alone. A
			// parent domain shares it with every app below it.
			CookieDomain: "",
		},
	}
}

// DefaultFrom is the From of a configuration that sets none.
const DefaultFrom = "otpd <no-reply@localhost>"
