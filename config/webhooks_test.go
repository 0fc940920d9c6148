package config_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/otpd/otpd/config"
)

const goodSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

// Each bad webhook setting is named by its key, alone, and a secret is
// never quoted back.
func TestValidateWebhooks(t *testing.T) {
	hook := func(change func(*config.WebhookConfig)) func(*config.Config) {
		return func(c *config.Config) {
			w := config.WebhookConfig{ID: "crm", URL: "https://crm.example.com/hooks/otpd", Secret: goodSecret,
				Events: []string{"account.created", "session.started"}}
			change(&w)
			c.Webhooks = []config.WebhookConfig{w}
		}
	}
	for _, tc := range []struct {
		name    string
		change  func(*config.Config)
		wantKey string
	}{
		{"a good endpoint", hook(func(*config.WebhookConfig) {}), ""},
		{"derived secret, every event", hook(func(w *config.WebhookConfig) { w.Secret, w.Events = "", nil }), ""},
		{"http on loopback", hook(func(w *config.WebhookConfig) { w.URL = "http://127.0.0.1:9000/h" }), ""},
		{"http on localhost", hook(func(w *config.WebhookConfig) { w.URL = "http://localhost:9000/h" }), ""},
		{"http remote", hook(func(w *config.WebhookConfig) { w.URL = "http://crm.example.com/h" }), "webhooks[0].url"},
		{"relative", hook(func(w *config.WebhookConfig) { w.URL = "/hooks" }), "webhooks[0].url"},
		{"empty url", hook(func(w *config.WebhookConfig) { w.URL = "" }), "webhooks[0].url"},
		{"ftp", hook(func(w *config.WebhookConfig) { w.URL = "ftp://crm.example.com/h" }), "webhooks[0].url"},
		{"userinfo", hook(func(w *config.WebhookConfig) { w.URL = "https://u:p@crm.example.com/h" }), "webhooks[0].url"},
		{"fragment", hook(func(w *config.WebhookConfig) { w.URL = "https://crm.example.com/h#x" }), "webhooks[0].url"},
		{"no id", hook(func(w *config.WebhookConfig) { w.ID = "" }), "webhooks[0].id"},
		{"id upper case", hook(func(w *config.WebhookConfig) { w.ID = "CRM" }), "webhooks[0].id"},
		{"secret without prefix", hook(func(w *config.WebhookConfig) { w.Secret = strings.TrimPrefix(goodSecret, "whsec_") }), "webhooks[0].secret"},
		{"secret not base64", hook(func(w *config.WebhookConfig) { w.Secret = "whsec_not base64!" }), "webhooks[0].secret"},
		{"secret too short", hook(func(w *config.WebhookConfig) { w.Secret = "whsec_c2hvcnQ=" }), "webhooks[0].secret"},
		{"event twice", hook(func(w *config.WebhookConfig) { w.Events = []string{"account.created", "account.created"} }), "webhooks[0].events"},
		{"empty event", hook(func(w *config.WebhookConfig) { w.Events = []string{""} }), "webhooks[0].events"},
		{"id twice", func(c *config.Config) {
			hook(func(*config.WebhookConfig) {})(c)
			c.Webhooks = append(c.Webhooks, c.Webhooks[0])
		}, "webhooks[1].id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := config.Default()
			tc.change(&c)
			err := c.Validate()
			if tc.wantKey == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			var errs config.Errors
			if !errors.As(err, &errs) || len(errs) != 1 || errs[0].Key != tc.wantKey {
				t.Fatalf("Validate() = %v, want one problem with %s", err, tc.wantKey)
			}
			if s := c.Webhooks[0].Secret; len(s) > 10 && strings.Contains(err.Error(), s) {
				t.Errorf("the error quotes the secret: %v", err)
			}
		})
	}
}

func TestWebhooksFromFile(t *testing.T) {
	path := writeFile(t, `
[[webhooks]]
id = "crm"
url = "https://crm.example.com/hooks/otpd"
secret = "`+goodSecret+`"
events = ["account.created"]
`)
	c, err := config.Load(path, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Webhooks) != 1 || c.Webhooks[0].ID != "crm" || c.Webhooks[0].Events[0] != "account.created" {
		t.Errorf("webhooks %+v", c.Webhooks)
	}
	key, err := config.ParseWebhookSecret(goodSecret)
	if err != nil || len(key) != 24 {
		t.Errorf("ParseWebhookSecret: %d bytes, %v", len(key), err)
	}
}
