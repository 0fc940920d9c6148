package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/otpd/otpd/dkim"
)

func runCmd(t *testing.T, env map[string]string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errb bytes.Buffer
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	err = run(context.Background(), args, lookup, &out, &errb, nil)
	return out.String(), errb.String(), err
}

func TestHelpExplainsEveryFlag(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"serve", "--help"}, {"help", "serve"}} {
		out, _, err := runCmd(t, nil, args...)
		if err != flag.ErrHelp {
			t.Errorf("%v: err %v, want flag.ErrHelp", args, err)
		}
		for _, want := range []string{"-listen", "-metrics-listen", "-data", "-config", "OTPD_LISTEN", "OTPD_METRICS_LISTEN", "OTPD_DATA_DIR", "OTPD_SMTP_URL", "otpd.example.toml"} {
			if !strings.Contains(out, want) {
				t.Errorf("%v: help lacks %q:\n%s", args, want, out)
			}
		}
	}
	_, _, err := runCmd(t, nil, "frobnicate")
	if err == nil || !strings.Contains(err.Error(), "frobnicate") {
		t.Errorf("unknown command: %v", err)
	}
}

func TestCheckConfig(t *testing.T) {
	out, _, err := runCmd(t, nil, "check-config")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "6.1e-07 (goal: below 1e-06) - met") || !strings.Contains(out, "0.0036 (goal: below 0.01) - met") {
		t.Errorf("default odds:\n%s", out)
	}
	out, _, err = runCmd(t, map[string]string{"OTPD_LIMITS_FAILED_GUESSES_PER_HOUR": "0"}, "check-config")
	if err != nil || !strings.Contains(out, "0.61 (goal: below 0.01) - NOT MET") {
		t.Errorf("without the service-wide budget (%v):\n%s", err, out)
	}
	_, _, err = runCmd(t, map[string]string{"OTPD_CODE_DIGITS": "4", "OTPD_SESSION_IDLE": "soon"}, "check-config")
	if err == nil || !strings.Contains(err.Error(), "code.digits") || !strings.Contains(err.Error(), "OTPD_SESSION_IDLE") {
		t.Errorf("bad settings: %v, want both named", err)
	}
}

// check-config --json gives a reviewer the figures and the limits they
// come from.
func TestCheckConfigJSON(t *testing.T) {
	out, _, err := runCmd(t, nil, "check-config", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Targeted float64        `json:"targeted_account_30d"`
		Million  float64        `json:"million_accounts_month"`
		Met      bool           `json:"met"`
		Limits   map[string]any `json:"limits"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if got.Targeted >= 1e-6 || got.Million >= 0.01 || !got.Met {
		t.Errorf("defaults: %+v, want both goals met", got)
	}
	if got.Limits["failed_guesses_per_hour"] != 5000.0 || got.Limits["code_digits"] != 9.0 {
		t.Errorf("limits %v do not say where the figures come from", got.Limits)
	}
}

func TestServeRefusesBadConfiguration(t *testing.T) {
	_, _, err := runCmd(t, map[string]string{"OTPD_SMTP_URL": "smtp://mail.example.com"}, "serve", "--data", t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "mail.from") {
		t.Errorf("SMTP with the default From: %v", err)
	}
}

func TestDKIMKeygen(t *testing.T) {
	out := filepath.Join(t.TempDir(), "k.key")
	stdout, _, err := runCmd(t, nil, "dkim", "keygen", "--domain", "Example.com", "--selector", "s1", "--out", out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout, `s1._domainkey.example.com. IN TXT "v=DKIM1; k=rsa; p=`) {
		t.Errorf("no DNS record in:\n%s", stdout)
	}
	if _, err := dkim.LoadKey(out); err != nil {
		t.Errorf("the written key does not load: %v", err)
	}
	if _, _, err := runCmd(t, nil, "dkim", "keygen", "--domain", "example.com", "--out", out); err == nil {
		t.Error("keygen overwrote an existing key")
	}
	if _, _, err := runCmd(t, nil, "dkim", "keygen"); err == nil || !strings.Contains(err.Error(), "--domain") {
		t.Errorf("keygen without --domain: %v", err)
	}
}

// With a pickup directory and no relay, each message lands there as a
// signed .eml file.
func TestPickupDirectory(t *testing.T) {
	dir := t.TempDir()
	s := startServer(t, map[string]string{"OTPD_MAIL_PICKUP_DIR": dir, "OTPD_MAIL_FROM": "accounts@example.com"})
	if _, err := s.client().SignIn(ctx, "ada@example.com"); err != nil {
		t.Fatal(err)
	}
	var files []string
	for deadline := time.Now().Add(10 * time.Second); len(files) == 0 && time.Now().Before(deadline); {
		files, _ = filepath.Glob(filepath.Join(dir, "*.eml"))
		time.Sleep(10 * time.Millisecond)
	}
	if len(files) != 1 {
		t.Fatalf("%d .eml files", len(files))
	}
	raw, _ := os.ReadFile(files[0])
	parts(t, raw)
	verifyDKIM(t, raw, s.dir)
	if strings.Contains(s.logs.String(), "MAIL IS NOT SENT") {
		t.Error("the dev mailbox warning shows while mail goes to a pickup directory")
	}
}
