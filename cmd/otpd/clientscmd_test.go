package main

import (
	"bytes"
	"encoding/hex"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/sqlite"
)

// secretLine finds the secret a command printed: 43 base64url characters
// alone on an indented line.
var secretLine = regexp.MustCompile(`(?m)^  ([A-Za-z0-9_-]{43})$`)

func TestClientsCommand(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "otpd.toml")
	configHash := strings.Repeat("ab", 32)
	if err := os.WriteFile(cfgPath, []byte(`
[[clients]]
id = "wiki"
name = "Team Wiki"
type = "confidential"
secret_hash = "`+configHash+`"
redirect_uris = ["https://wiki.example.com/cb"]
scopes = ["openid", "email"]
`), 0o600); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	cmd := func(args ...string) (string, string, error) {
		t.Helper()
		return runCmd(t, nil, append([]string{"clients", args[0], "--config", cfgPath, "--data", data}, args[1:]...)...)
	}

	out, _, err := cmd("add", "--id", "shop", "--name", "The Shop", "--redirect-uri", "https://shop.example.com/cb",
		"--scope", "openid", "--scope", "offline_access")
	if err != nil {
		t.Fatalf("add: %v", err)
	}
	m := secretLine.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("add printed no secret:\n%s", out)
	}
	secret := m[1]

	// The secret is shown once and kept only as its SHA-256.
	out, _, err = cmd("show", "shop")
	if err != nil || strings.Contains(out, secret) || !strings.Contains(out, "https://shop.example.com/cb") {
		t.Fatalf("show: %v\n%s", err, out)
	}
	list, _, err := cmd("list")
	if err != nil || strings.Contains(list, secret) {
		t.Fatalf("list: %v\n%s", err, list)
	}
	for _, want := range []string{"shop", "The Shop", "added", "wiki", "config file", "Team Wiki"} {
		if !strings.Contains(list, want) {
			t.Errorf("list lacks %q:\n%s", want, list)
		}
	}
	wantStoredSecret(t, filepath.Join(data, "otpd.db"), "shop", secret)
	raw, err := os.ReadFile(filepath.Join(data, "otpd.db"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte(secret)) {
		t.Error("the database holds the secret in clear")
	}

	// Rotation replaces it.
	out, _, err = cmd("rotate-secret", "shop")
	if err != nil {
		t.Fatalf("rotate-secret: %v", err)
	}
	m = secretLine.FindStringSubmatch(out)
	if m == nil || m[1] == secret {
		t.Fatalf("rotate-secret printed no new secret:\n%s", out)
	}
	wantStoredSecret(t, filepath.Join(data, "otpd.db"), "shop", m[1])

	// An app of the configuration file is listed, shown, never removed;
	// rotating prints what to put in the file.
	if _, _, err := cmd("remove", "wiki"); err == nil || !strings.Contains(err.Error(), "configuration file") {
		t.Errorf("remove of a config app: %v", err)
	}
	out, _, err = cmd("rotate-secret", "wiki")
	if err != nil || !strings.Contains(out, "secret_hash = ") {
		t.Errorf("rotate-secret of a config app: %v\n%s", err, out)
	}
	if m := secretLine.FindStringSubmatch(out); m == nil || !strings.Contains(out, hex.EncodeToString(otpd.HashSecret(m[1]))) {
		t.Errorf("the printed hash is not the printed secret's:\n%s", out)
	}
	if _, _, err := cmd("add", "--id", "wiki", "--name", "x", "--redirect-uri", "https://x.example/cb"); err == nil ||
		!strings.Contains(err.Error(), "--id") {
		t.Errorf("add of a config app's id: %v", err)
	}

	// A public app gets no secret.
	out, _, err = cmd("add", "--id", "spa", "--name", "SPA", "--type", "public", "--redirect-uri", "http://127.0.0.1:5173/cb")
	if err != nil || secretLine.MatchString(out) {
		t.Errorf("add public: %v\n%s", err, out)
	}
	if _, _, err := cmd("rotate-secret", "spa"); err == nil || !strings.Contains(err.Error(), "public") {
		t.Errorf("rotate-secret of a public app: %v", err)
	}

	// Removal, and what is not there.
	if out, _, err := cmd("remove", "shop"); err != nil || !strings.Contains(out, "revoked") {
		t.Errorf("remove: %v\n%s", err, out)
	}
	for _, sub := range []string{"show", "remove", "rotate-secret"} {
		if _, _, err := cmd(sub, "shop"); err == nil || !strings.Contains(err.Error(), `no app "shop"`) {
			t.Errorf("%s of a removed app: %v", sub, err)
		}
	}
}

// Bad input names the flag at fault; nothing is added.
func TestClientsCommandRefusesBadInput(t *testing.T) {
	data := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"add", "--id", "Bad ID", "--name", "x", "--redirect-uri", "https://a.example/cb"}, "--id"},
		{[]string{"add", "--id", "a", "--redirect-uri", "https://a.example/cb"}, "--name"},
		{[]string{"add", "--id", "a", "--name", "x"}, "--redirect-uri"},
		{[]string{"add", "--id", "a", "--name", "x", "--redirect-uri", "http://a.example/cb"}, "--redirect-uri"},
		{[]string{"add", "--id", "a", "--name", "x", "--redirect-uri", "https://a.example/cb#f"}, "--redirect-uri"},
		{[]string{"add", "--id", "a", "--name", "x", "--redirect-uri", "https://a.example/cb", "--scope", "profile"}, "--scope"},
		{[]string{"add", "--id", "a", "--name", "x", "--redirect-uri", "https://a.example/cb", "--type", "web"}, "--type"},
		{[]string{"add", "--id", "a", "--name", "x", "--redirect-uri", "https://a.example/cb", "--logo", "http://a.example/l.png"}, "--logo"},
		{[]string{"add", "extra"}, "no arguments"},
		{[]string{"show"}, "one app id"},
		{[]string{"frob"}, "frob"},
		{nil, "needs a command"},
	} {
		args := append([]string{"clients"}, tc.args...)
		args = append(args, "--data", data)
		if len(tc.args) > 1 && tc.args[0] != "add" {
			args = append([]string{"clients", tc.args[0], "--data", data}, tc.args[1:]...)
		}
		_, _, err := runCmd(t, nil, args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want an error naming %q", tc.args, err, tc.want)
		}
	}
	out, _, err := runCmd(t, nil, "clients", "list", "--data", data)
	if err != nil || !strings.Contains(out, "No apps yet") {
		t.Errorf("after refusals: %v\n%s", err, out)
	}
	if out, _, err := runCmd(t, nil, "help", "clients"); err == nil || !strings.Contains(out, "rotate-secret") {
		t.Errorf("help clients: %v\n%s", err, out)
	}
}

func wantStoredSecret(t *testing.T, path, id, secret string) {
	t.Helper()
	s, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	app, err := s.App(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(app.SecretHash, otpd.HashSecret(secret)) {
		t.Errorf("stored hash %x is not the printed secret's", app.SecretHash)
	}
}
