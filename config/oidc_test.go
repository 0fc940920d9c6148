package config_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/otpd/otpd/config"
)

func goodClient() config.ClientConfig {
	return config.ClientConfig{
		ID: "wiki", Name: "Team Wiki", Type: "confidential", SecretHash: strings.Repeat("ab", 32),
		RedirectURIs:           []string{"https://wiki.example.com/cb", "http://127.0.0.1:8080/cb"},
		PostLogoutRedirectURIs: []string{"https://wiki.example.com/"},
		Scopes:                 []string{"openid", "email", "offline_access"},
		LogoURL:                "https://wiki.example.com/logo.png",
	}
}

// Each bad OIDC setting is named by its key, alone.
func TestValidateOIDC(t *testing.T) {
	client := func(change func(*config.ClientConfig)) func(*config.Config) {
		return func(c *config.Config) {
			cl := goodClient()
			change(&cl)
			c.Clients = []config.ClientConfig{cl}
		}
	}
	d := func(v time.Duration) config.Duration { return config.Duration(v) }
	for _, tc := range []struct {
		name    string
		change  func(*config.Config)
		wantKey string
	}{
		{"a good client", client(func(*config.ClientConfig) {}), ""},
		{"a public client with a private-use scheme", client(func(cl *config.ClientConfig) {
			cl.Type, cl.SecretHash, cl.RedirectURIs = "public", "", []string{"com.example.app:/cb"}
		}), ""},
		{"RS256", func(c *config.Config) { c.OIDC.SigningAlg = "RS256" }, ""},
		{"alg none", func(c *config.Config) { c.OIDC.SigningAlg = "none" }, "oidc.signing_alg"},
		{"alg HS256", func(c *config.Config) { c.OIDC.SigningAlg = "HS256" }, "oidc.signing_alg"},
		{"rotation 23h", func(c *config.Config) { c.OIDC.KeyRotation, c.OIDC.KeyPrepublish = d(23*time.Hour), d(time.Hour) }, "oidc.key_rotation"},
		{"prepublish 0", func(c *config.Config) { c.OIDC.KeyPrepublish = 0 }, "oidc.key_prepublish"},
		{"prepublish beyond rotation", func(c *config.Config) {
			c.OIDC.KeyRotation, c.OIDC.KeyPrepublish = d(48*time.Hour), d(72*time.Hour)
		}, "oidc.key_prepublish"},
		{"id token 2h", func(c *config.Config) { c.OIDC.IDTokenLifetime = d(2 * time.Hour) }, "oidc.id_token_lifetime"},
		{"access token 0", func(c *config.Config) { c.OIDC.AccessTokenLifetime = 0 }, "oidc.access_token_lifetime"},
		{"refresh idle 0", func(c *config.Config) { c.OIDC.RefreshIdle = 0 }, "oidc.refresh_idle"},
		{"idle beyond lifetime", func(c *config.Config) { c.OIDC.RefreshIdle = d(1000 * time.Hour) }, "oidc.refresh_idle"},
		{"id upper case", client(func(cl *config.ClientConfig) { cl.ID = "Wiki" }), "clients[0].id"},
		{"id empty", client(func(cl *config.ClientConfig) { cl.ID = "" }), "clients[0].id"},
		{"id with colon", client(func(cl *config.ClientConfig) { cl.ID = "a:b" }), "clients[0].id"},
		{"no name", client(func(cl *config.ClientConfig) { cl.Name = " " }), "clients[0].name"},
		{"bad type", client(func(cl *config.ClientConfig) { cl.Type = "web" }), "clients[0].type"},
		{"confidential without hash", client(func(cl *config.ClientConfig) { cl.SecretHash = "" }), "clients[0].secret_hash"},
		{"hash too short", client(func(cl *config.ClientConfig) { cl.SecretHash = "abcd" }), "clients[0].secret_hash"},
		{"public with hash", client(func(cl *config.ClientConfig) { cl.Type = "public" }), "clients[0].secret_hash"},
		{"no redirect", client(func(cl *config.ClientConfig) { cl.RedirectURIs = nil }), "clients[0].redirect_uris"},
		{"redirect relative", client(func(cl *config.ClientConfig) { cl.RedirectURIs = []string{"/cb"} }), "clients[0].redirect_uris"},
		{"redirect fragment", client(func(cl *config.ClientConfig) { cl.RedirectURIs = []string{"https://a.example/cb#x"} }), "clients[0].redirect_uris"},
		{"redirect http remote", client(func(cl *config.ClientConfig) { cl.RedirectURIs = []string{"http://a.example/cb"} }), "clients[0].redirect_uris"},
		{"redirect http localhost name", client(func(cl *config.ClientConfig) { cl.RedirectURIs = []string{"http://localhost/cb"} }), "clients[0].redirect_uris"},
		{"redirect custom scheme, confidential", client(func(cl *config.ClientConfig) { cl.RedirectURIs = []string{"com.example.app:/cb"} }), "clients[0].redirect_uris"},
		{"redirect javascript", client(func(cl *config.ClientConfig) {
			cl.Type, cl.SecretHash, cl.RedirectURIs = "public", "", []string{"javascript:alert(1)"}
		}), "clients[0].redirect_uris"},
		{"redirect userinfo", client(func(cl *config.ClientConfig) { cl.RedirectURIs = []string{"https://u@a.example/cb"} }), "clients[0].redirect_uris"},
		{"logout fragment", client(func(cl *config.ClientConfig) { cl.PostLogoutRedirectURIs = []string{"https://a.example/#"} }), "clients[0].post_logout_redirect_uris"},
		{"no openid", client(func(cl *config.ClientConfig) { cl.Scopes = []string{"email"} }), "clients[0].scopes"},
		{"unknown scope", client(func(cl *config.ClientConfig) { cl.Scopes = []string{"openid", "profile"} }), "clients[0].scopes"},
		{"logo over http", client(func(cl *config.ClientConfig) { cl.LogoURL = "http://a.example/l.png" }), "clients[0].logo_url"},
		{"id twice", func(c *config.Config) { c.Clients = []config.ClientConfig{goodClient(), goodClient()} }, "clients[1].id"},
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
		})
	}
}

func TestClientsFromFile(t *testing.T) {
	path := writeFile(t, `
[[clients]]
id = "wiki"
name = "Team Wiki"
type = "public"
redirect_uris = ["https://wiki.example.com/cb"]
scopes = ["openid"]
`)
	c, err := config.Load(path, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Clients) != 1 || c.Clients[0].ID != "wiki" || c.Clients[0].RedirectURIs[0] != "https://wiki.example.com/cb" {
		t.Errorf("clients %+v", c.Clients)
	}
}
