package config

import (
	"encoding/base64"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
)

// WebhookConfig is an endpoint that hears of events, one [[webhooks]]
// table each. Only the file declares them.
type WebhookConfig struct {
	// ID names the endpoint in the queue and the logs, and derives its
	// secret when Secret is empty: changing it orphans what is queued
	// for the old one.
	ID string `toml:"id"`
	// URL receives each webhook as a POST: https, or http on a loopback
	// address (a local relay, development, tests).
	URL string `toml:"url"`
	// Secret signs the webhooks, in the Standard Webhooks form
	// whsec_<base64 of 24 to 64 bytes>. Empty: derived from the server
	// secret and ID; `otpd webhooks` prints it.
	Secret string `toml:"secret"`
	// Events are the types the endpoint hears ("account.created",
	// "security.code_denied"...); empty, every type, including those a
	// later version adds.
	Events []string `toml:"events"`
}

// The lengths a webhook secret may have, in bytes: Standard Webhooks
// asks for 24 to 64.
const (
	minWebhookSecret = 24
	maxWebhookSecret = 64
)

// WebhookSecretPrefix begins a secret in the Standard Webhooks form.
const WebhookSecretPrefix = "whsec_"

// ParseWebhookSecret returns the key a whsec_ secret encodes.
func ParseWebhookSecret(s string) ([]byte, error) {
	b64, ok := strings.CutPrefix(s, WebhookSecretPrefix)
	if !ok {
		return nil, fmt.Errorf("must start with %s", WebhookSecretPrefix)
	}
	key, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, fmt.Errorf("must be %s and standard base64", WebhookSecretPrefix)
	}
	if len(key) < minWebhookSecret || len(key) > maxWebhookSecret {
		return nil, fmt.Errorf("must encode %d to %d bytes, got %d", minWebhookSecret, maxWebhookSecret, len(key))
	}
	return key, nil
}

func (c Config) webhookProblems(bad func(key, format string, args ...any)) {
	seen := map[string]bool{}
	for i, w := range c.Webhooks {
		prefix := fmt.Sprintf("webhooks[%d].", i)
		if !clientID.MatchString(w.ID) {
			bad(prefix+"id", "must be 1 to 64 of a-z, 0-9, '.', '_' or '-', starting with a letter or digit, got %q", w.ID)
		} else if seen[w.ID] {
			bad(prefix+"id", "%q is declared twice", w.ID)
		}
		seen[w.ID] = true
		if msg := checkWebhookURL(w.URL); msg != "" {
			bad(prefix+"url", "%s, got %q", msg, w.URL)
		}
		if w.Secret != "" {
			// The error never quotes the secret.
			if _, err := ParseWebhookSecret(w.Secret); err != nil {
				bad(prefix+"secret", "%v (or leave it out: `otpd webhooks` prints the one derived)", err)
			}
		}
		for j, e := range w.Events {
			if e == "" || slices.Contains(w.Events[:j], e) {
				bad(prefix+"events", "must list each type once, got %q", e)
			}
		}
	}
}

// checkWebhookURL explains what is wrong with u as a webhook endpoint,
// or returns "".
func checkWebhookURL(u string) string {
	p, err := url.Parse(u)
	switch {
	case err != nil || !p.IsAbs() || p.Host == "":
		return "must be an absolute https:// URL"
	case p.User != nil:
		return "must not contain a user name or password"
	case p.Fragment != "" || strings.Contains(u, "#"):
		return "must have no fragment"
	}
	switch p.Scheme {
	case "https":
		return ""
	case "http":
		if ip := net.ParseIP(p.Hostname()); (ip != nil && ip.IsLoopback()) || p.Hostname() == "localhost" {
			return ""
		}
		return "http:// is allowed only for a loopback address (127.0.0.1, [::1], localhost); use https://"
	}
	return "must start with https://"
}
