package config

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Error is one configuration problem. Key names where it is: a file key such
// as "code.digits", or an environment variable such as "OTPD_CODE_DIGITS".
type Error struct {
	Key string
	Msg string
}

func (e *Error) Error() string { return e.Key + ": " + e.Msg }

// Errors is every problem found in one configuration, in the order found. It
// unwraps to its members, so errors.As finds an *Error.
type Errors []*Error

// Error puts one problem on each line, the way an operator fixes them.
func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap returns the problems for errors.Is and errors.As.
func (es Errors) Unwrap() []error {
	errs := make([]error, len(es))
	for i, e := range es {
		errs[i] = e
	}
	return errs
}

// Validate checks every setting and returns all problems together as Errors,
// or nil. It does not stop at the first, so one run shows everything to fix.
func (c Config) Validate() error {
	if errs := c.problems(); len(errs) > 0 {
		return errs
	}
	return nil
}

func (c Config) problems() Errors {
	var errs Errors
	bad := func(key, format string, args ...any) {
		errs = append(errs, &Error{Key: key, Msg: fmt.Sprintf(format, args...)})
	}

	if _, port, err := net.SplitHostPort(c.Listen); err != nil {
		bad("listen", "must be host:port such as 127.0.0.1:8080, got %q", c.Listen)
	} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		bad("listen", "port must be a number from 0 (any free port) to 65535, got %q", port)
	}
	if c.MetricsOn() {
		if _, port, err := net.SplitHostPort(c.MetricsListen); err != nil {
			bad("metrics_listen", "must be host:port such as 127.0.0.1:9464, or \"off\", got %q", c.MetricsListen)
		} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
			bad("metrics_listen", "port must be a number from 0 (any free port) to 65535, got %q", port)
		} else if c.MetricsListen == c.Listen && n != 0 {
			bad("metrics_listen", "must differ from listen (%q): metrics have a port of their own, which the public must not reach", c.Listen)
		}
	}
	if c.DataDir == "" {
		bad("data_dir", "must not be empty")
	}
	if c.PublicURL != "" {
		if msg := checkOrigin(c.PublicURL); msg != "" {
			bad("public_url", "%s, got %q", msg, c.PublicURL)
		}
	} else if host, ok := c.listenHost(); ok && unspecified(host) {
		// "http://0.0.0.0:8080" in an email leads nowhere.
		bad("public_url", "must be set when listen (%q) has no specific host", c.Listen)
	}

	between(bad, "code.digits", c.Code.Digits, 6, 10)
	durationBetween(bad, "code.lifetime", c.Code.Lifetime, time.Minute, time.Hour)
	between(bad, "code.max_attempts", c.Code.MaxAttempts, 1, 10)

	if c.Limits.CodesPerHour < 1 {
		bad("limits.codes_per_hour", "must be at least 1, got %d", c.Limits.CodesPerHour)
	}
	if c.Limits.CodesPerDay < c.Limits.CodesPerHour {
		bad("limits.codes_per_day", "must be at least limits.codes_per_hour (%d), got %d",
			c.Limits.CodesPerHour, c.Limits.CodesPerDay)
	}
	durationBetween(bad, "limits.resend_cooldown", c.Limits.ResendCooldown, 0, 10*time.Minute)
	if c.Limits.WrongCodesPerAccount < 1 {
		bad("limits.wrong_codes_per_account", "must be at least 1, got %d", c.Limits.WrongCodesPerAccount)
	}
	if w := time.Duration(c.Limits.WrongCodesWindow); w < time.Minute {
		bad("limits.wrong_codes_window", "must be at least 1m, got %s", c.Limits.WrongCodesWindow)
	}

	between(bad, "limits.lockout_after", c.Limits.LockoutAfter, 0, 100)
	durationBetween(bad, "limits.lockout_backoff", c.Limits.LockoutBackoff, 0, time.Hour)
	between(bad, "limits.passwords_per_ip_per_hour", c.Limits.PasswordsPerIPPerHour, 0, 1_000_000)
	between(bad, "limits.passwords_per_network_per_hour", c.Limits.PasswordsPerNetworkPerHour, 0, 1_000_000)
	between(bad, "limits.failed_guesses_per_hour", c.Limits.FailedGuessesPerHour, 0, 10_000_000)
	durationBetween(bad, "limits.breaker_pause", c.Limits.BreakerPause, time.Second, time.Hour)
	between(bad, "limits.flood_networks", c.Limits.FloodNetworks, 0, 1000)
	durationBetween(bad, "limits.flood_window", c.Limits.FloodWindow, time.Minute, 24*time.Hour)
	durationBetween(bad, "limits.flood_for", c.Limits.FloodFor, time.Minute, 30*24*time.Hour)
	between(bad, "password.min_length", c.Password.MinLength, 8, 64)
	between(bad, "password.memory_kib", c.Password.MemoryKiB, 8*1024, 1024*1024)
	between(bad, "password.iterations", c.Password.Iterations, 1, 64)
	between(bad, "password.parallelism", c.Password.Parallelism, 1, 16)
	between(bad, "password.max_waiting", c.Password.MaxWaiting, 0, 10_000)
	between(bad, "risk.max_travel_kmh", c.Risk.MaxTravelKMH, 100, 100000)
	durationBetween(bad, "risk.guard_after_report", c.Risk.GuardAfterReport, 0, 30*24*time.Hour)
	durationBetween(bad, "session.step_up", c.Session.StepUp, time.Minute, time.Hour)
	for i, path := range c.GeoIP {
		if path == "" {
			bad("geoip", "entry %d is empty; list .mmdb file paths", i+1)
		}
	}

	idle, absolute := time.Duration(c.Session.Idle), time.Duration(c.Session.Absolute)
	if idle <= 0 {
		bad("session.idle", "must be more than 0, got %s", c.Session.Idle)
	} else if absolute > 0 && idle > absolute {
		bad("session.idle", "must not exceed session.absolute (%s), got %s", c.Session.Absolute, c.Session.Idle)
	}
	if absolute <= 0 {
		bad("session.absolute", "must be more than 0, got %s", c.Session.Absolute)
	}

	c.retentionProblems(bad)

	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		bad("log.level", "must be debug, info, warn or error, got %q", c.Log.Level)
	}
	switch c.Log.Format {
	case "text", "json":
	default:
		bad("log.format", "must be text or json, got %q", c.Log.Format)
	}
	switch c.Log.Requests {
	case "off", "debug", "info", "warn":
	default:
		bad("log.requests", "must be off, debug, info or warn, got %q", c.Log.Requests)
	}
	durationBetween(bad, "health.max_queue_age", c.Health.MaxQueueAge, time.Minute, 24*time.Hour)
	c.mailProblems(bad)
	c.nodeProblems(bad)
	c.oidcProblems(bad)
	c.forwardProblems(bad)
	c.webhookProblems(bad)
	return errs
}

func between(bad func(string, string, ...any), key string, v, lo, hi int) {
	if v < lo || v > hi {
		bad(key, "must be between %d and %d, got %d", lo, hi, v)
	}
}

func durationBetween(bad func(string, string, ...any), key string, v Duration, lo, hi time.Duration) {
	if d := time.Duration(v); d < lo || d > hi {
		bad(key, "must be between %s and %s, got %s", Duration(lo), Duration(hi), v)
	}
}

// checkOrigin explains what is wrong with u as an origin for links, or
// returns "". Links are built by appending paths, so anything past the host
// would be silently dropped or, worse, leak into every link.
func checkOrigin(u string) string {
	p, err := url.Parse(u)
	switch {
	case err != nil:
		return "must be an absolute http(s) URL such as https://login.example.com"
	case p.Scheme != "http" && p.Scheme != "https":
		return "must start with https:// (or http:// for local use)"
	case p.Host == "" || p.Hostname() == "":
		return "must name a host"
	case p.User != nil:
		return "must not contain a user name or password"
	case p.Path != "" && p.Path != "/":
		return "must have no path"
	case p.RawQuery != "" || p.ForceQuery:
		return "must have no query"
	case p.Fragment != "" || strings.Contains(u, "#"):
		return "must have no fragment"
	}
	return ""
}

// unspecified reports whether host means "every interface", which a browser
// cannot reach.
func unspecified(host string) bool {
	if host == "" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsUnspecified()
}
