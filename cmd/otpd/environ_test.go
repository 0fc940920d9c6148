package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
)

// An OTPD_ variable that names no setting stops the server before it
// listens, naming the variable and the setting it was probably meant to
// be; serve runs here with the process environment, as main runs it.
func TestServeRefusesUnknownVariable(t *testing.T) {
	t.Setenv("OTPD_LISTN", "127.0.0.1:0")
	t.Setenv("OTPD_DATA_DIR", t.TempDir())
	var out, errb bytes.Buffer
	listened := false
	err := run(context.Background(), []string{"serve"}, os.LookupEnv, &out, &errb, func(string) { listened = true })
	if err == nil || listened {
		t.Fatalf("serve with OTPD_LISTN set: err %v, listened %v", err, listened)
	}
	if want := "OTPD_LISTN: names no setting; did you mean OTPD_LISTEN?"; !strings.Contains(err.Error(), want) {
		t.Errorf("err = %q, want it to say %q", err, want)
	}
	// The other commands that read the settings refuse it alike.
	for _, args := range [][]string{{"check-config"}, {"migrate", "status"}, {"dns"}, {"healthcheck"}} {
		err := run(context.Background(), args, os.LookupEnv, &out, &errb, nil)
		if err == nil || !strings.Contains(err.Error(), "OTPD_LISTN") {
			t.Errorf("%v with OTPD_LISTN set: %v", args, err)
		}
	}
}

// Every problem shows at once: an unknown variable beside a bad value.
func TestUnknownVariableIsReportedWithOtherProblems(t *testing.T) {
	t.Setenv("OTPD_SMTP_URI", "smtp://relay.example.com")
	_, _, err := runCmd(t, map[string]string{"OTPD_SMTP_URI": "smtp://relay.example.com", "OTPD_CODE_DIGITS": "five"}, "check-config")
	if err == nil || !strings.Contains(err.Error(), "OTPD_SMTP_URI: names no setting; did you mean OTPD_SMTP_URL?") ||
		!strings.Contains(err.Error(), "OTPD_CODE_DIGITS") {
		t.Errorf("check-config: %v", err)
	}
	// A variable the run's own environment does not hold is not its
	// business, even when the process has it.
	if _, _, err := runCmd(t, nil, "check-config"); err != nil {
		t.Errorf("check-config with a map that lacks OTPD_SMTP_URI: %v", err)
	}
}

// The DKIM record is logged only when mail really leaves: not in
// development, where the dev mailbox keeps it, and at every start with a
// pickup directory (or SMTP).
func TestDKIMRecordLoggedOnlyWhenMailIsSent(t *testing.T) {
	const record = "DKIM: publish this DNS TXT record"
	if dev := startServer(t, nil); strings.Contains(dev.logs.String(), record) {
		t.Errorf("the dev mailbox start logs the DKIM record:\n%s", dev.logs)
	}
	sent := startServer(t, map[string]string{"OTPD_MAIL_PICKUP_DIR": t.TempDir(), "OTPD_MAIL_FROM": "accounts@example.com"})
	if !strings.Contains(sent.logs.String(), record) || !strings.Contains(sent.logs.String(), "otpd._domainkey.example.com") {
		t.Errorf("a start that sends mail does not log the DKIM record:\n%s", sent.logs)
	}
}
