package config

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

// Load returns Default() overlaid with the TOML file at path (skipped when path
// is empty) and then with the environment, read through env (cmd passes
// os.LookupEnv; tests pass a map). Command-line flags come last: cmd assigns
// them to the returned Config and calls Validate again.
//
// A file that cannot be read or parsed is returned at once as a plain error.
// Every other problem — unknown keys in the file, environment values that do
// not parse, values that fail Validate — is collected and returned together
// as Errors, so one run shows everything to fix.
func Load(path string, env func(string) (string, bool)) (Config, error) {
	c := Default()
	var errs Errors
	if path != "" {
		md, err := toml.DecodeFile(path, &c)
		if err != nil {
			return Config{}, fmt.Errorf("config: read %s: %w", path, err)
		}
		// A misspelt key would otherwise be ignored silently and its
		// setting left at the default, which for a limit is a security
		// surprise.
		var unknown []toml.Key
		for _, k := range md.Undecoded() {
			// An unknown table lists its keys too; naming the
			// table once is enough.
			if !underAny(k, unknown) {
				unknown = append(unknown, k)
				errs = append(errs, &Error{Key: k.String(), Msg: "unknown key in " + path})
			}
		}
	}
	if env != nil {
		errs = append(errs, c.applyEnv(env)...)
	}
	errs = append(errs, c.problems()...)
	if len(errs) > 0 {
		return c, errs
	}
	return c, nil
}

// underAny reports whether k is inside one of the tables in parents.
func underAny(k toml.Key, parents []toml.Key) bool {
	for _, p := range parents {
		if len(p) < len(k) && slices.Equal(p, k[:len(p)]) {
			return true
		}
	}
	return false
}

// EnvVar returns the environment variable that sets key: "code.digits" is
// OTPD_CODE_DIGITS.
func EnvVar(key string) string {
	return "OTPD_" + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

// field ties a file key to the Config field it sets, so the environment
// covers exactly the keys the file has.
type field struct {
	key string
	ptr any // *string, *bool, *int, *Duration or *[]string
}

func (c *Config) fields() []field {
	return []field{
		{"listen", &c.Listen},
		{"metrics_listen", &c.MetricsListen},
		{"data_dir", &c.DataDir},
		{"public_url", &c.PublicURL},
		{"secret_file", &c.SecretFile},
		{"sign_up", &c.SignUp},
		{"database", &c.Database},
		{"database_connections", &c.DatabaseConnections},
		{"redis", &c.Redis},
		{"trusted_proxies", &c.TrustedProxies},
		{"geoip", &c.GeoIP},
		{"migrate", &c.Migrate},
		{"return_to", &c.ReturnTo},
		{"code.digits", &c.Code.Digits},
		{"code.lifetime", &c.Code.Lifetime},
		{"code.max_attempts", &c.Code.MaxAttempts},
		{"limits.codes_per_hour", &c.Limits.CodesPerHour},
		{"limits.codes_per_day", &c.Limits.CodesPerDay},
		{"limits.resend_cooldown", &c.Limits.ResendCooldown},
		{"limits.wrong_codes_per_account", &c.Limits.WrongCodesPerAccount},
		{"limits.wrong_codes_window", &c.Limits.WrongCodesWindow},
		{"limits.codes_per_ip_per_hour", &c.Limits.CodesPerIPPerHour},
		{"limits.codes_per_network_per_hour", &c.Limits.CodesPerNetworkPerHour},
		{"limits.messages_per_minute", &c.Limits.MessagesPerMinute},
		{"limits.passwords_per_ip_per_hour", &c.Limits.PasswordsPerIPPerHour},
		{"limits.passwords_per_network_per_hour", &c.Limits.PasswordsPerNetworkPerHour},
		{"limits.lockout_after", &c.Limits.LockoutAfter},
		{"limits.lockout_backoff", &c.Limits.LockoutBackoff},
		{"limits.failed_guesses_per_hour", &c.Limits.FailedGuessesPerHour},
		{"limits.breaker_pause", &c.Limits.BreakerPause},
		{"limits.flood_networks", &c.Limits.FloodNetworks},
		{"limits.flood_window", &c.Limits.FloodWindow},
		{"limits.flood_for", &c.Limits.FloodFor},
		{"password.min_length", &c.Password.MinLength},
		{"password.memory_kib", &c.Password.MemoryKiB},
		{"password.iterations", &c.Password.Iterations},
		{"password.parallelism", &c.Password.Parallelism},
		{"password.max_waiting", &c.Password.MaxWaiting},
		{"risk.max_travel_kmh", &c.Risk.MaxTravelKMH},
		{"risk.guard_after_report", &c.Risk.GuardAfterReport},
		{"session.idle", &c.Session.Idle},
		{"session.absolute", &c.Session.Absolute},
		{"session.step_up", &c.Session.StepUp},
		{"retention.events", &c.Retention.Events},
		{"retention.challenges", &c.Retention.Challenges},
		{"retention.sessions", &c.Retention.Sessions},
		{"retention.interval", &c.Retention.Interval},
		{"log.level", &c.Log.Level},
		{"log.format", &c.Log.Format},
		{"log.requests", &c.Log.Requests},
		{"health.max_queue_age", &c.Health.MaxQueueAge},
		{"smtp.url", &c.SMTP.URL},
		{"smtp.tls", &c.SMTP.TLS},
		{"smtp.timeout", &c.SMTP.Timeout},
		{"mail.from", &c.Mail.From},
		{"mail.code_in_subject", &c.Mail.CodeInSubject},
		{"mail.templates_dir", &c.Mail.TemplatesDir},
		{"mail.pickup_dir", &c.Mail.PickupDir},
		{"dkim.key_file", &c.DKIM.KeyFile},
		{"dkim.ed25519_key_file", &c.DKIM.Ed25519KeyFile},
		{"dkim.selector", &c.DKIM.Selector},
		{"dkim.domain", &c.DKIM.Domain},
		{"language.default", &c.Language.Default},
		{"language.messages_dir", &c.Language.MessagesDir},
		{"forward_auth.enabled", &c.ForwardAuth.Enabled},
		{"forward_auth.user_header", &c.ForwardAuth.UserHeader},
		{"forward_auth.email_header", &c.ForwardAuth.EmailHeader},
		{"forward_auth.cookie_domain", &c.ForwardAuth.CookieDomain},
	}
}

// applyEnv sets every field whose variable env reports as set. A value that
// does not parse leaves the field as it was and is reported by variable name,
// since that is what the operator typed.
func (c *Config) applyEnv(env func(string) (string, bool)) Errors {
	var errs Errors
	for _, f := range c.fields() {
		name := EnvVar(f.key)
		v, ok := env(name)
		if !ok {
			continue
		}
		if err := set(f.ptr, v); err != nil {
			errs = append(errs, &Error{Key: name, Msg: err.Error()})
		}
	}
	return errs
}

// set parses v into the field p points at. A variable set to "" sets a
// string field to "" (which means "the default" for public_url and
// secret_file) and is an error for the other kinds: an empty number is more
// likely a mistake than a wish.
func set(p any, v string) error {
	switch p := p.(type) {
	case *string:
		*p = v
	case *bool:
		switch v {
		case "true":
			*p = true
		case "false":
			*p = false
		default:
			return fmt.Errorf("must be true or false, got %q", v)
		}
	case *int:
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			return fmt.Errorf("must be a whole number, got %q", v)
		}
		*p = n
	case *Duration:
		return p.UnmarshalText([]byte(strings.TrimSpace(v)))
	case *[]string:
		// A list is comma-separated in the environment.
		*p = nil
		for _, item := range strings.Split(v, ",") {
			if item = strings.TrimSpace(item); item != "" {
				*p = append(*p, item)
			}
		}
	default:
		panic(fmt.Sprintf("config: field of unsupported type %T", p))
	}
	return nil
}
