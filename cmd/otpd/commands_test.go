package main

import (
	"bytes"
	"context"
	"flag"
	"strings"
	"testing"
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
		for _, want := range []string{"-listen", "-data", "-config", "OTPD_LISTEN", "OTPD_DATA_DIR", "OTPD_SMTP_URL", "otpd.example.toml"} {
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
	if !strings.Contains(out, "6.1e-07 (goal: below 1e-06) - met") {
		t.Errorf("default odds:\n%s", out)
	}
	_, _, err = runCmd(t, map[string]string{"OTPD_CODE_DIGITS": "4", "OTPD_SESSION_IDLE": "soon"}, "check-config")
	if err == nil || !strings.Contains(err.Error(), "code.digits") || !strings.Contains(err.Error(), "OTPD_SESSION_IDLE") {
		t.Errorf("bad settings: %v, want both named", err)
	}
}

func TestServeRefusesBadConfiguration(t *testing.T) {
	_, _, err := runCmd(t, map[string]string{"OTPD_SMTP_URL": "smtp://mail.example.com"}, "serve", "--data", t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "mail.from") {
		t.Errorf("SMTP with the default From: %v", err)
	}
}
