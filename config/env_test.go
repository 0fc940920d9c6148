package config_test

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/otpd/otpd/config"
)

func TestCheckEnv(t *testing.T) {
	tests := []struct {
		name  string
		names []string
		want  []string // "VARIABLE: names no setting; did you mean NEAREST?"
	}{
		{name: "no variables", names: nil},
		{name: "settings and other programs' variables", names: []string{"OTPD_LISTEN", "OTPD_CODE_DIGITS", "OTPD_DKIM_ED25519_KEY_FILE", "PATH", "HOME", "otpd_listn"}},
		{name: "the allowed extras", names: []string{"OTPD_CONFIG", "OTPD_TEST_POSTGRES", "OTPD_TEST_REDIS", "OTPD_REQUIRE_SERVICES", "OTPD_REQUIRE_BROWSER", "OTPD_SCREENSHOTS", "OTPD_TEST_CHILD_ARGS"}},
		{name: "a letter left out", names: []string{"OTPD_LISTN"}, want: []string{"OTPD_LISTN: names no setting; did you mean OTPD_LISTEN?"}},
		{name: "a section left out", names: []string{"OTPD_CODES_PER_HOUR"}, want: []string{"OTPD_CODES_PER_HOUR: names no setting; did you mean OTPD_LIMITS_CODES_PER_HOUR?"}},
		{name: "the extras are suggested too", names: []string{"OTPD_CONFG"}, want: []string{"OTPD_CONFG: names no setting; did you mean OTPD_CONFIG?"}},
		{name: "a setting's old or made-up name", names: []string{"OTPD_DATABASE_URL"}, want: []string{"OTPD_DATABASE_URL: names no setting; did you mean OTPD_DATABASE?"}},
		{name: "the prefix alone", names: []string{"OTPD_"}, want: []string{"OTPD_: names no setting; did you mean OTPD_GEOIP?"}},
		{
			name:  "every one, sorted, each once",
			names: []string{"OTPD_SMTP_URI", "OTPD_LISTEN", "OTPD_LISTN", "OTPD_SMTP_URI"},
			want: []string{
				"OTPD_LISTN: names no setting; did you mean OTPD_LISTEN?",
				"OTPD_SMTP_URI: names no setting; did you mean OTPD_SMTP_URL?",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs := config.CheckEnv(tt.names)
			if len(errs) != len(tt.want) {
				t.Fatalf("CheckEnv(%q) = %v, want %d problems", tt.names, errs, len(tt.want))
			}
			for i, e := range errs {
				if !strings.HasPrefix(e.Error(), tt.want[i]) {
					t.Errorf("problem %d = %q, want it to start %q", i, e, tt.want[i])
				}
			}
		})
	}
}

// Every extra is there for a reason, and every one is read somewhere in
// the repository: an extra nobody reads any more should go.
func TestEnvExtrasAreRead(t *testing.T) {
	var sources strings.Builder
	for _, dir := range []string{"..", "../cmd/otpd", "../postgres/pgtest", "../limit/redislimit", "../.ci"} {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if e.IsDir() {
				continue
			}
			b, err := os.ReadFile(dir + "/" + e.Name())
			if err != nil {
				t.Fatal(err)
			}
			sources.Write(b)
		}
	}
	for name, why := range config.EnvExtras() {
		if why == "" {
			t.Errorf("%s has no reason", name)
		}
		if !regexp.MustCompile(`\b` + name + `\b`).MatchString(sources.String()) {
			t.Errorf("%s is allowed but nothing reads it", name)
		}
		if errs := config.CheckEnv([]string{name}); len(errs) > 0 {
			t.Errorf("the extra %s is refused: %v", name, errs)
		}
	}
}
