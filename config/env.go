package config

import (
	"sort"
	"strings"
)

// envExtras are the OTPD_ variables that name no setting and are still
// expected where otpd runs, each with the reason. Any other OTPD_
// variable is a mistake, most likely a misspelt setting, which would
// otherwise leave that setting at its default without a word.
var envExtras = map[string]string{
	"OTPD_CONFIG":           "names the TOML file the settings are read from (cmd/otpd)",
	"OTPD_TEST_POSTGRES":    "the PostgreSQL server the PostgreSQL suites run against (postgres/pgtest, .ci/run)",
	"OTPD_TEST_REDIS":       "the Redis server the Redis suites run against (limit/redislimit, cmd/otpd, .ci/run)",
	"OTPD_REQUIRE_SERVICES": "makes the PostgreSQL and Redis suites fail instead of skipping (.ci/run)",
	"OTPD_REQUIRE_BROWSER":  "makes the browser tests fail instead of skipping without Chromium (.ci/run)",
	"OTPD_SCREENSHOTS":      "where the browser tests save their screenshots (cmd/otpd)",
	"OTPD_TEST_CHILD_ARGS":  "cmd/otpd's tests run their own binary as otpd with these arguments, in a child that inherits the environment",
}

// EnvExtras returns the OTPD_ variables that are not settings but are
// allowed in the environment, with why each is there.
func EnvExtras() map[string]string {
	m := make(map[string]string, len(envExtras))
	for k, v := range envExtras {
		m[k] = v
	}
	return m
}

// CheckEnv returns an Error for every name in names (the environment's
// variable names; other prefixes are ignored) that starts with OTPD_ and
// names neither a setting nor one of EnvExtras, as an unknown key in the
// file is one. Each names the nearest known variable, by edit distance.
func CheckEnv(names []string) Errors {
	known := knownEnv()
	var errs Errors
	sorted := append([]string(nil), names...)
	sort.Strings(sorted)
	for i, name := range sorted {
		if !strings.HasPrefix(name, "OTPD_") || (i > 0 && sorted[i-1] == name) {
			continue
		}
		if _, ok := known[name]; ok {
			continue
		}
		errs = append(errs, &Error{Key: name, Msg: "names no setting; did you mean " + nearest(name, known) + "? (otpd.example.toml lists every setting)"})
	}
	return errs
}

// knownEnv is every variable a setting has, and the extras.
func knownEnv() map[string]bool {
	known := map[string]bool{}
	var c Config
	for _, f := range c.fields() {
		known[EnvVar(f.key)] = true
	}
	for name := range envExtras {
		known[name] = true
	}
	return known
}

// nearest returns the name in known closest to name, the first in
// alphabetical order among equals.
func nearest(name string, known map[string]bool) string {
	best, bestDist := "", -1
	for k := range known {
		d := editDistance(name, k)
		if bestDist < 0 || d < bestDist || (d == bestDist && k < best) {
			best, bestDist = k, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, counted in
// bytes: the names are ASCII.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
