package main

import (
	"errors"
	"os"
	"strings"

	"github.com/otpd/otpd/config"
)

// loadSettings is config.Load with every OTPD_ variable of the
// environment that names no setting reported among the other problems,
// as an unknown key in the file is: a misspelt OTPD_LISTN would otherwise
// leave listen at its default without a word. A webhook event type that
// no webhook reports is one of them too (webhookEventProblems). Every
// command that reads the configuration reads it through here.
func loadSettings(path string, env func(string) (string, bool)) (config.Config, error) {
	cfg, err := config.Load(path, env)
	unknown := append(config.CheckEnv(envNames(env)), webhookEventProblems(cfg)...)
	if len(unknown) == 0 {
		return cfg, err
	}
	var errs config.Errors
	switch {
	case err == nil:
		return cfg, unknown
	case errors.As(err, &errs):
		return cfg, append(unknown, errs...)
	default:
		// The file could not be read: that comes first.
		return cfg, err
	}
}

// envNames returns the OTPD_ variables env holds. env is a lookup and
// cannot be listed, so the names are the process environment's that env
// confirms: in production env is os.LookupEnv and they are all of them;
// a test that hands run a map of its own is checked only against the
// variables it shares with the process, and sets the process's (t.Setenv)
// to try one.
func envNames(env func(string) (string, bool)) []string {
	var names []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(name, "OTPD_") {
			continue
		}
		if _, ok := env(name); ok {
			names = append(names, name)
		}
	}
	return names
}
