package config_test

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/otpd/otpd/config"
)

// env returns an env lookup over m, as os.LookupEnv would see it.
func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := m[k]
		return v, ok
	}
}

func writeFile(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "otpd.toml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestDefaultValidates(t *testing.T) {
	if err := config.Default().Validate(); err != nil {
		t.Fatalf("Default().Validate() = %v", err)
	}
}

func TestGuessBoundMeetsGoal(t *testing.T) {
	got := config.Default().GuessBound30Days()
	// 10 wrong codes per 12 h window: 10*(60+1) = 610 guesses over 10^9 codes.
	if want := 6.1e-7; got < want*0.999 || got > want*1.001 {
		t.Errorf("GuessBound30Days() = %g, want %g", got, want)
	}
	if got >= 1e-6 {
		t.Errorf("GuessBound30Days() = %g, want below the ARCHITECTURE.md goal of 1e-6", got)
	}

	c := config.Default()
	c.Code.Digits = 6
	if got := c.GuessBound30Days(); got < 6e-4 || got > 7e-4 {
		t.Errorf("6 digits: GuessBound30Days() = %g, want 6.1e-4", got)
	}
}

func TestLoad(t *testing.T) {
	tests := []struct {
		name string
		file string // "" means no file
		env  map[string]string
		want func(*config.Config)
	}{
		{
			name: "nothing set gives defaults",
			want: func(*config.Config) {},
		},
		{
			name: "forward auth hosts from the file",
			file: `
public_url = "https://login.example.com"
return_to = ["https://app.example.com"]
[forward_auth]
enabled = true
cookie_domain = "example.com"
headers = "forwarded"
[[forward_auth.hosts]]
origin = "https://wiki.example.com"
domains = ["example.com"]
fresh_code = true
[[forward_auth.hosts]]
origin = "https://grafana.example.com"
accounts = ["acc1"]
`,
			env: map[string]string{"OTPD_FORWARD_AUTH_USER_HEADER": "X-User"},
			want: func(c *config.Config) {
				c.PublicURL = "https://login.example.com"
				c.ReturnTo = []string{"https://app.example.com"}
				c.ForwardAuth.Enabled, c.ForwardAuth.CookieDomain, c.ForwardAuth.UserHeader = true, "example.com", "X-User"
				c.ForwardAuth.Headers = config.ForwardForwarded
				c.ForwardAuth.Hosts = []config.ForwardHost{
					{Origin: "https://wiki.example.com", Domains: []string{"example.com"}, FreshCode: true},
					{Origin: "https://grafana.example.com", Accounts: []string{"acc1"}},
				}
			},
		},
		{
			name: "file overrides defaults",
			file: `
listen = "127.0.0.1:9000"
sign_up = false
[code]
digits = 10
lifetime = "5m"
[session]
idle = "1h"
`,
			want: func(c *config.Config) {
				c.Listen = "127.0.0.1:9000"
				c.SignUp = false
				c.Code.Digits = 10
				c.Code.Lifetime = config.Duration(5 * time.Minute)
				c.Session.Idle = config.Duration(time.Hour)
			},
		},
		{
			name: "env overrides file",
			file: `
listen = "127.0.0.1:9000"
public_url = "https://file.example.com"
[code]
digits = 10
[log]
format = "text"
`,
			env: map[string]string{
				"OTPD_LISTEN":                  "127.0.0.1:9001",
				"OTPD_PUBLIC_URL":              "https://env.example.com/",
				"OTPD_SIGN_UP":                 "false",
				"OTPD_CODE_DIGITS":             "8",
				"OTPD_LIMITS_RESEND_COOLDOWN":  "1m",
				"OTPD_LOG_FORMAT":              "json",
				"OTPD_SOMETHING_ELSE_ENTIRELY": "ignored",
			},
			want: func(c *config.Config) {
				c.Listen = "127.0.0.1:9001"
				c.PublicURL = "https://env.example.com/"
				c.SignUp = false
				c.Code.Digits = 8
				c.Limits.ResendCooldown = config.Duration(time.Minute)
				c.Log.Format = "json"
			},
		},
		{
			name: "env can empty a string back to its default meaning",
			file: `secret_file = "/run/secrets/otpd"`,
			env:  map[string]string{"OTPD_SECRET_FILE": ""},
			want: func(*config.Config) {},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := ""
			if tt.file != "" {
				path = writeFile(t, tt.file)
			}
			got, err := config.Load(path, env(tt.env))
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			want := config.Default()
			tt.want(&want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Load =\n%+v\nwant\n%+v", got, want)
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name string
		file string
		env  map[string]string
		want []string // each must appear in the one error
	}{
		{
			name: "unknown keys are named",
			file: `
listen = "127.0.0.1:8080"
lisen = "oops"
[code]
digit = 8
[extra]
x = 1
`,
			want: []string{"lisen: unknown key", "code.digit: unknown key", "extra"},
		},
		{
			name: "a forward host's unknown key is named",
			file: `
[[forward_auth.hosts]]
origin = "https://127.0.0.1:9000"
domain = ["example.com"]
`,
			want: []string{"forward_auth.hosts.domain: unknown key", "forward_auth.hosts[1]: admits nobody"},
		},
		{
			name: "several bad values in one error",
			file: `
listen = "localhost"
data_dir = ""
public_url = "ftp://example.com/path"
[code]
digits = 4
lifetime = "2h"
max_attempts = 0
[limits]
codes_per_hour = 0
codes_per_day = -1
resend_cooldown = "11m"
wrong_codes_per_account = 0
wrong_codes_window = "30s"
[session]
idle = "0s"
absolute = "0s"
[log]
level = "loud"
format = "xml"
`,
			want: []string{
				"listen:", "data_dir:", "public_url:",
				"code.digits: must be between 6 and 10, got 4",
				"code.lifetime:", "code.max_attempts:",
				"limits.codes_per_hour:", "limits.codes_per_day:",
				"limits.resend_cooldown:", "limits.wrong_codes_per_account:",
				"limits.wrong_codes_window:",
				"session.idle:", "session.absolute:",
				"log.level:", "log.format:",
			},
		},
		{
			name: "bad env values name the variable",
			env: map[string]string{
				"OTPD_CODE_DIGITS":   "nine",
				"OTPD_SIGN_UP":       "yes",
				"OTPD_CODE_LIFETIME": "10",
			},
			want: []string{"OTPD_CODE_DIGITS:", "OTPD_SIGN_UP:", "OTPD_CODE_LIFETIME:"},
		},
		{
			name: "env problems and file problems together",
			file: `[log]
level = "loud"`,
			env:  map[string]string{"OTPD_SESSION_IDLE": "forever"},
			want: []string{"OTPD_SESSION_IDLE:", "log.level:"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := ""
			if tt.file != "" {
				path = writeFile(t, tt.file)
			}
			_, err := config.Load(path, env(tt.env))
			if err == nil {
				t.Fatal("Load succeeded, want an error")
			}
			var errs config.Errors
			if !errors.As(err, &errs) {
				t.Fatalf("Load error %T is not config.Errors: %v", err, err)
			}
			if len(errs) != len(tt.want) {
				t.Errorf("got %d problems, want %d:\n%v", len(errs), len(tt.want), err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not mention %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestLoadUnreadableFile(t *testing.T) {
	_, err := config.Load(filepath.Join(t.TempDir(), "missing.toml"), nil)
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: err = %v, want os.ErrNotExist", err)
	}
	_, err = config.Load(writeFile(t, "listen = "), nil)
	if err == nil {
		t.Error("malformed file: Load succeeded")
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name    string
		change  func(*config.Config)
		wantKey string // "" means valid
	}{
		{"ipv6 listen", func(c *config.Config) { c.Listen = "[::1]:8080" }, ""},
		{"metrics off", func(c *config.Config) { c.MetricsListen = "off" }, ""},
		{"metrics on any free port", func(c *config.Config) { c.MetricsListen = "127.0.0.1:0" }, ""},
		{"metrics on all interfaces", func(c *config.Config) { c.MetricsListen = ":9464" }, ""},
		{"metrics empty", func(c *config.Config) { c.MetricsListen = "" }, "metrics_listen"},
		{"metrics without port", func(c *config.Config) { c.MetricsListen = "127.0.0.1" }, "metrics_listen"},
		{"metrics port out of range", func(c *config.Config) { c.MetricsListen = "127.0.0.1:99999" }, "metrics_listen"},
		{"metrics on the public port", func(c *config.Config) { c.MetricsListen = c.Listen }, "metrics_listen"},
		{"port out of range", func(c *config.Config) { c.Listen = "127.0.0.1:70000" }, "listen"},
		{"all interfaces without public_url", func(c *config.Config) { c.Listen = ":8080" }, "public_url"},
		{"0.0.0.0 without public_url", func(c *config.Config) { c.Listen = "0.0.0.0:8080" }, "public_url"},
		{"all interfaces with public_url", func(c *config.Config) {
			c.Listen = ":8080"
			c.PublicURL = "https://login.example.com"
		}, ""},
		{"public_url with slash", func(c *config.Config) { c.PublicURL = "https://login.example.com/" }, ""},
		{"public_url with port", func(c *config.Config) { c.PublicURL = "http://localhost:8080" }, ""},
		{"public_url relative", func(c *config.Config) { c.PublicURL = "login.example.com" }, "public_url"},
		{"public_url path", func(c *config.Config) { c.PublicURL = "https://example.com/login" }, "public_url"},
		{"public_url query", func(c *config.Config) { c.PublicURL = "https://example.com/?a=b" }, "public_url"},
		{"public_url empty query", func(c *config.Config) { c.PublicURL = "https://example.com?" }, "public_url"},
		{"public_url fragment", func(c *config.Config) { c.PublicURL = "https://example.com#x" }, "public_url"},
		{"public_url userinfo", func(c *config.Config) { c.PublicURL = "https://u:p@example.com" }, "public_url"},
		{"digits 6", func(c *config.Config) { c.Code.Digits = 6 }, ""},
		{"digits 11", func(c *config.Config) { c.Code.Digits = 11 }, "code.digits"},
		{"lifetime 59s", func(c *config.Config) { c.Code.Lifetime = config.Duration(59 * time.Second) }, "code.lifetime"},
		{"max_attempts 11", func(c *config.Config) { c.Code.MaxAttempts = 11 }, "code.max_attempts"},
		{"per day below per hour", func(c *config.Config) { c.Limits.CodesPerDay = 4 }, "limits.codes_per_day"},
		{"no cooldown", func(c *config.Config) { c.Limits.ResendCooldown = 0 }, ""},
		{"negative cooldown", func(c *config.Config) { c.Limits.ResendCooldown = config.Duration(-time.Second) }, "limits.resend_cooldown"},
		{"idle above absolute", func(c *config.Config) { c.Session.Idle = config.Duration(721 * time.Hour) }, "session.idle"},
		{"idle equals absolute", func(c *config.Config) { c.Session.Idle = c.Session.Absolute }, ""},
		{"log warn json", func(c *config.Config) { c.Log.Level, c.Log.Format = "warn", "json" }, ""},
		{"smtp with own from", withSMTP("smtp://u:p@mail.example.com:587", "Accounts <accounts@example.com>"), ""},
		{"smtps", withSMTP("smtps://mail.example.com:465", "accounts@example.com"), ""},
		{"smtp with default from", withSMTP("smtp://mail.example.com:587", config.DefaultFrom), "mail.from"},
		{"smtp bad scheme", withSMTP("http://mail.example.com", "accounts@example.com"), "smtp.url"},
		{"smtp no host", withSMTP("smtp://:587", "accounts@example.com"), "smtp.url"},
		{"smtp and pickup", func(c *config.Config) {
			withSMTP("smtp://mail.example.com", "a@example.com")(c)
			c.Mail.PickupDir = "/var/spool/otpd"
		}, "mail.pickup_dir"},
		{"smtp tls unknown", func(c *config.Config) { c.SMTP.TLS = "maybe" }, "smtp.tls"},
		{"from not an address", func(c *config.Config) { c.Mail.From = "Accounts" }, "mail.from"},
		{"from with header", func(c *config.Config) { c.Mail.From = "a@example.com\r\nBcc: x@evil.example" }, "mail.from"},
		{"dkim parent domain", func(c *config.Config) {
			c.Mail.From, c.DKIM.Domain = "a@mail.example.com", "example.com"
		}, ""},
		{"dkim misaligned", func(c *config.Config) {
			c.Mail.From, c.DKIM.Domain = "a@example.com", "example.org"
		}, "dkim.domain"},
		{"dkim lookalike", func(c *config.Config) {
			c.Mail.From, c.DKIM.Domain = "a@badexample.com", "example.com"
		}, "dkim.domain"},
		{"dkim selector", func(c *config.Config) { c.DKIM.Selector = "a b" }, "dkim.selector"},
		{"previous dkim selector", func(c *config.Config) {
			c.DKIM.Previous = []config.PreviousDKIMKey{{Selector: "a;b", KeyFile: "old.key"}}
		}, "dkim.previous[0].selector"},
		{"previous dkim key", func(c *config.Config) { c.DKIM.Previous = []config.PreviousDKIMKey{{Selector: "otpd"}} }, "dkim.previous[0].key_file"},
		{"return_to origin", func(c *config.Config) { c.ReturnTo = []string{"https://app.example.com"} }, ""},
		{"return_to path", func(c *config.Config) { c.ReturnTo = []string{"https://app.example.com/x"} }, "return_to"},
		{"return_to host only", func(c *config.Config) { c.ReturnTo = []string{"app.example.com"} }, "return_to"},
		{"forward auth", withForward(config.ForwardHost{Origin: "https://wiki.example.com", Domains: []string{"example.com"}}), ""},
		{"forward auth on no hosts", func(c *config.Config) { c.ForwardAuth.Enabled = true }, "forward_auth.hosts"},
		{"forward host admits nobody", withForward(config.ForwardHost{Origin: "https://wiki.example.com"}), "forward_auth.hosts[1]"},
		{"forward host any account", withForward(config.ForwardHost{Origin: "https://wiki.example.com", AnyAccount: true}), ""},
		{"forward host bad origin", withForward(config.ForwardHost{Origin: "wiki.example.com", AnyAccount: true}), "forward_auth.hosts[1].origin"},
		{"forward host twice", withForward(config.ForwardHost{Origin: "https://wiki.example.com", AnyAccount: true},
			config.ForwardHost{Origin: "https://WIKI.example.com/", AnyAccount: true}), "forward_auth.hosts[2].origin"},
		{"forward host bad domain", withForward(config.ForwardHost{Origin: "https://wiki.example.com", Domains: []string{"@example.com"}}),
			"forward_auth.hosts[1].domains"},
		{"forward host bad account", withForward(config.ForwardHost{Origin: "https://wiki.example.com", Accounts: []string{""}}),
			"forward_auth.hosts[1].accounts"},
		{"forward host out of cookie's reach", func(c *config.Config) {
			withForward(config.ForwardHost{Origin: "https://wiki.example.org", AnyAccount: true})(c)
		}, "forward_auth.hosts[1].origin"},
		{"forward host on public host", func(c *config.Config) {
			withForward(config.ForwardHost{Origin: "https://login.example.com:8443", AnyAccount: true})(c)
			c.ForwardAuth.CookieDomain = ""
		}, ""},
		{"cookie domain not a parent", func(c *config.Config) {
			c.PublicURL, c.ForwardAuth.CookieDomain = "https://login.example.com", "example.org"
		}, "forward_auth.cookie_domain"},
		{"cookie domain lookalike", func(c *config.Config) {
			c.PublicURL, c.ForwardAuth.CookieDomain = "https://login.badexample.com", "example.com"
		}, "forward_auth.cookie_domain"},
		{"cookie domain top level", func(c *config.Config) {
			c.PublicURL, c.ForwardAuth.CookieDomain = "https://login.example.com", "com"
		}, "forward_auth.cookie_domain"},
		{"user header", func(c *config.Config) { c.ForwardAuth.UserHeader = "Remote User" }, "forward_auth.user_header"},
		{"forward headers", func(c *config.Config) { c.ForwardAuth.Headers = "both" }, "forward_auth.headers"},
		{"forward headers empty", func(c *config.Config) { c.ForwardAuth.Headers = "" }, "forward_auth.headers"},
		{"same headers", func(c *config.Config) { c.ForwardAuth.EmailHeader = "remote-user" }, "forward_auth.email_header"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := config.Default()
			tt.change(&c)
			err := c.Validate()
			if tt.wantKey == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			var errs config.Errors
			if !errors.As(err, &errs) || len(errs) != 1 || errs[0].Key != tt.wantKey {
				t.Fatalf("Validate() = %v, want one problem with %s", err, tt.wantKey)
			}
		})
	}
}

// The example file must load to exactly the defaults and name every key, so
// it cannot drift from the code.
// withForward turns forward auth on for hosts, behind
// https://login.example.com with cookie_domain example.com.
func withForward(hosts ...config.ForwardHost) func(*config.Config) {
	return func(c *config.Config) {
		c.PublicURL = "https://login.example.com"
		c.ForwardAuth.Enabled, c.ForwardAuth.CookieDomain, c.ForwardAuth.Hosts = true, "example.com", hosts
	}
}

func TestExampleFile(t *testing.T) {
	const path = "../otpd.example.toml"
	got, err := config.Load(path, env(nil))
	if err != nil {
		t.Fatalf("Load(%s): %v", path, err)
	}
	if want := config.Default(); !reflect.DeepEqual(got, want) {
		t.Errorf("example file =\n%+v\nDefault() =\n%+v", got, want)
	}

	var example map[string]any
	if _, err := toml.DecodeFile(path, &example); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := toml.NewEncoder(&b).Encode(config.Default()); err != nil {
		t.Fatal(err)
	}
	var all map[string]any
	if _, err := toml.Decode(b.String(), &all); err != nil {
		t.Fatal(err)
	}
	if g, w := keys("", example), keys("", all); !reflect.DeepEqual(g, w) {
		t.Errorf("example file keys =\n%v\nwant every key\n%v", g, w)
	}
}

func keys(prefix string, m map[string]any) []string {
	var ks []string
	for k, v := range m {
		if sub, ok := v.(map[string]any); ok {
			ks = append(ks, keys(prefix+k+".", sub)...)
			continue
		}
		ks = append(ks, prefix+k)
	}
	sort.Strings(ks)
	return ks
}

func TestDerivedValues(t *testing.T) {
	c := config.Default()
	if got, want := c.PublicOrigin(), "http://127.0.0.1:8080"; got != want {
		t.Errorf("default PublicOrigin() = %q, want %q", got, want)
	}
	if got, want := c.SecretPath(), filepath.Join("otpd-data", "secret.key"); got != want {
		t.Errorf("default SecretPath() = %q, want %q", got, want)
	}
	if kind, got := c.Store(); kind != config.SQLite || got != filepath.Join("otpd-data", "otpd.db") {
		t.Errorf("default Store() = %v %q", kind, got)
	}

	c.PublicURL = "https://login.example.com/"
	c.SecretFile = "/run/secrets/otpd.key"
	if got, want := c.PublicOrigin(), "https://login.example.com"; got != want {
		t.Errorf("PublicOrigin() = %q, want %q", got, want)
	}
	if got, want := c.SecretPath(), "/run/secrets/otpd.key"; got != want {
		t.Errorf("SecretPath() = %q, want %q", got, want)
	}
}

func TestDuration(t *testing.T) {
	for _, s := range []string{"0s", "30s", "10m", "1h30m", "72h", "1h0m30s", "1.5s"} {
		var d config.Duration
		if err := d.UnmarshalText([]byte(s)); err != nil {
			t.Fatalf("UnmarshalText(%q): %v", s, err)
		}
		if got := d.String(); got != s {
			t.Errorf("Duration(%q).String() = %q", s, got)
		}
	}
	var d config.Duration
	if err := d.UnmarshalText([]byte("10")); err == nil {
		t.Error(`UnmarshalText("10") succeeded; a bare number has no unit`)
	}
}

func withSMTP(url, from string) func(*config.Config) {
	return func(c *config.Config) { c.SMTP.URL, c.Mail.From = url, from }
}

func TestSMTPFromEnvironment(t *testing.T) {
	c, err := config.Load("", env(map[string]string{
		"OTPD_SMTP_URL":      "smtp://u:p@mail.example.com:587",
		"OTPD_MAIL_FROM":     "Example Accounts <accounts@example.com>",
		"OTPD_DKIM_SELECTOR": "s2026",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.SMTP.URL != "smtp://u:p@mail.example.com:587" || c.FromAddress() != "accounts@example.com" ||
		c.DKIMDomain() != "example.com" || c.DKIM.Selector != "s2026" {
		t.Errorf("config %+v", c)
	}
	if !strings.HasSuffix(c.DKIMKeyPath(), "dkim-rsa.key") {
		t.Errorf("DKIMKeyPath %q", c.DKIMKeyPath())
	}
}

func TestStoresAndProxies(t *testing.T) {
	c, err := config.Load("", env(map[string]string{
		"OTPD_DATABASE":        "postgres://otpd@db.internal:5432/otpd",
		"OTPD_REDIS":           "redis://cache.internal:6379/0",
		"OTPD_TRUSTED_PROXIES": " 127.0.0.1, 10.0.0.0/8 ,",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if kind, where := c.Store(); kind != config.Postgres || where != "postgres://otpd@db.internal:5432/otpd" {
		t.Errorf("Store() = %v %q", kind, where)
	}
	nets := c.TrustedNetworks()
	if len(nets) != 2 || nets[0].String() != "127.0.0.1/32" || nets[1].String() != "10.0.0.0/8" {
		t.Errorf("TrustedNetworks() = %v", nets)
	}
	c.Database = "sqlite:/var/lib/otpd/otpd.db"
	if kind, where := c.Store(); kind != config.SQLite || where != "/var/lib/otpd/otpd.db" {
		t.Errorf("Store() = %v %q", kind, where)
	}
	for key, change := range map[string]func(*config.Config){
		"database":                     func(c *config.Config) { c.Database = "mysql://x:secret@h/db" },
		"redis":                        func(c *config.Config) { c.Redis = "http://cache" },
		"database_connections":         func(c *config.Config) { c.DatabaseConnections = 0 },
		"trusted_proxies":              func(c *config.Config) { c.TrustedProxies = []string{"10.0.0.0/33"} },
		"limits.codes_per_ip_per_hour": func(c *config.Config) { c.Limits.CodesPerIPPerHour = -1 },
	} {
		c := config.Default()
		change(&c)
		err := c.Validate()
		var errs config.Errors
		if !errors.As(err, &errs) || len(errs) != 1 || errs[0].Key != key || strings.Contains(err.Error(), "secret") {
			t.Errorf("%s: Validate() = %v", key, err)
		}
	}
}
