package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/otpd/otpd/dkim"
	"github.com/otpd/otpd/smtptest"
)

// sentMessages starts a server that sends through SMTP, asks for a code
// for ada@example.com, and returns the server, the raw message as it
// arrived and the environment that makes a command read the server's
// configuration.
func sentMessage(t *testing.T) (*server, []byte, map[string]string) {
	t.Helper()
	sink, env := smtpSink(t)
	s := startServer(t, env)
	return s, sendOne(t, s, sink), withEnv(env, "OTPD_PUBLIC_URL", s.url)
}

// smtpSink starts a recording SMTP server and the environment that sends
// to it.
func smtpSink(t *testing.T) (*smtptest.Server, map[string]string) {
	t.Helper()
	sink := smtptest.Start(t)
	return sink, smtpEnv(sink)
}

// sendOne asks s for a code for ada@example.com and returns the message
// as it arrived at sink.
func sendOne(t *testing.T, s *server, sink *smtptest.Server) []byte {
	t.Helper()
	if _, err := s.client().SignIn(ctx, "ada@example.com"); err != nil {
		t.Fatal(err)
	}
	got := sink.WaitMessages(1, 10*time.Second)
	if len(got) != 1 {
		t.Fatalf("received %d messages", len(got))
	}
	return got[0].Data
}

// alterations turn a real message into the variants a check must tell
// apart, each with the verdict it must get.
func alterations(t *testing.T, s *server, raw []byte) map[string]struct {
	raw     []byte
	verdict string
} {
	t.Helper()
	other, err := dkim.GenerateRSA()
	if err != nil {
		t.Fatal(err)
	}
	unsigned := raw[bytes.Index(raw, []byte("\r\n"))+2:]
	for bytes.HasPrefix(unsigned, []byte(" ")) || bytes.HasPrefix(unsigned, []byte("\t")) || bytes.HasPrefix(unsigned, []byte("DKIM-Signature:")) {
		unsigned = unsigned[bytes.Index(unsigned, []byte("\r\n"))+2:]
	}
	resigned, err := (&dkim.Signer{Domain: "example.net", Selector: "mail", RSA: other}).Sign(unsigned)
	if err != nil {
		t.Fatal(err)
	}
	must := func(b []byte, old string) []byte {
		if !bytes.Contains(b, []byte(old)) {
			t.Fatalf("the message has no %q:\n%s", old, b)
		}
		return b
	}
	forged := "From: Example Accounts <accounts@example.com>\r\nTo: ada@example.com\r\nSubject: Your sign-in code\r\n" +
		"Message-ID: <f0rged@127.0.0.1>\r\nOtpd-Ref: K7QP-2MXD\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n" +
		"Use this code to sign in at Example Accounts:\r\n\r\n123 456 789\r\n\r\n" +
		"This wasn't me: http://login-example.net/deny/x\r\n\r\nSent by otpd to ada@example.com. Ref K7QP-2MXD.\r\n"
	return map[string]struct {
		raw     []byte
		verdict string
	}{
		"as sent":        {raw, "genuine"},
		"body changed":   {bytes.Replace(must(raw, "Who asked for it"), []byte("Who asked for it"), []byte("Who wanted it"), 1), "altered"},
		"subject":        {bytes.Replace(must(raw, "Subject: "), []byte("Subject: "), []byte("Subject: Urgent: "), 1), "altered"},
		"link swapped":   {bytes.ReplaceAll(must(raw, s.url+"/deny/"), []byte(s.url+"/deny/"), []byte("http://login-example.net/deny/")), "altered"},
		"header added":   {bytes.Replace(raw, []byte("Subject: "), []byte("Reply-To: <help@login-example.net>\r\nSubject: "), 1), "altered"},
		"re-signed":      {resigned, "not_from_us"},
		"wholly forged":  {[]byte(forged), "not_from_us"},
		"signature gone": {unsigned, "not_from_us"},
	}
}

// Real messages, sent by the server through SMTP and then altered,
// re-signed or forged, each get their verdict from otpd inspect.
func TestInspectTellsRealFromAlteredAndForged(t *testing.T) {
	s, raw, env := sentMessage(t)
	dir := t.TempDir()
	for name, c := range alterations(t, s, raw) {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".eml")
			if err := os.WriteFile(path, c.raw, 0o600); err != nil {
				t.Fatal(err)
			}
			out, _, err := runCmd(t, env, "inspect", "--data", s.dir, "--json", path)
			if (err == nil) != (c.verdict == "genuine") {
				t.Errorf("exit: %v", err)
			}
			var rep struct {
				Verdict string `json:"verdict"`
				Code    string `json:"code"`
				Sent    *struct {
					Kind, To string
				} `json:"sent"`
				Links []struct{ Ours bool } `json:"links"`
			}
			if err := json.Unmarshal([]byte(out), &rep); err != nil {
				t.Fatalf("%v:\n%s", err, out)
			}
			if rep.Verdict != c.verdict {
				t.Fatalf("verdict %s, want %s:\n%s", rep.Verdict, c.verdict, out)
			}
			if c.verdict == "genuine" && (rep.Code != "matches" || rep.Sent == nil || rep.Sent.To != "a•••@example.com" || rep.Sent.Kind != "code") {
				t.Errorf("a genuine code message:\n%s", out)
			}
			if c.verdict == "genuine" && strings.Contains(out, `"ours": false`) {
				t.Errorf("a genuine message has a link elsewhere:\n%s", out)
			}
			if name == "link swapped" && !strings.Contains(out, `"host": "login-example.net"`) {
				t.Errorf("the swapped link is not named:\n%s", out)
			}
		})
	}
	// The words, from standard input.
	path := filepath.Join(dir, "as-sent.eml")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	stdin := os.Stdin
	os.Stdin = f
	out, _, err := runCmd(t, env, "inspect", "--data", s.dir, "-")
	os.Stdin = stdin
	if err != nil || !strings.Contains(out, "Verdict:     genuine") || !strings.Contains(out, "a code message to a•••@example.com") {
		t.Errorf("inspect -: %v\n%s", err, out)
	}
}

// After a rotation of the DKIM key, a message the old key signed is
// genuine while the configuration keeps that key under dkim.previous,
// and is not once it is dropped.
func TestInspectKnowsPreviousKeys(t *testing.T) {
	s, raw, env := sentMessage(t)
	path := filepath.Join(t.TempDir(), "old.eml")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	newKey := filepath.Join(t.TempDir(), "dkim-otpd2.key")
	if _, _, err := runCmd(t, env, "dkim", "keygen", "--domain", "example.com", "--selector", "otpd2", "--out", newKey); err != nil {
		t.Fatal(err)
	}
	rotated := withEnv(withEnv(env, "OTPD_DKIM_KEY_FILE", newKey), "OTPD_DKIM_SELECTOR", "otpd2")
	cfg := filepath.Join(t.TempDir(), "otpd.toml")
	previous := fmt.Sprintf("[[dkim.previous]]\nselector = \"otpd\"\nkey_file = %q\n", filepath.Join(s.dir, "dkim-rsa.key"))
	if err := os.WriteFile(cfg, []byte(previous), 0o600); err != nil {
		t.Fatal(err)
	}
	out, _, err := runCmd(t, rotated, "inspect", "--data", s.dir, "--config", cfg, path)
	if err != nil || !strings.Contains(out, "Verdict:     genuine") {
		t.Errorf("with the old key kept: %v\n%s", err, out)
	}
	out, _, err = runCmd(t, rotated, "inspect", "--data", s.dir, path)
	if err == nil || strings.Contains(out, "Verdict:     genuine") {
		t.Errorf("with the old key dropped: %v\n%s", err, out)
	}
}

// A file that is no message is refused with a reason, and no store or
// secret is made for a data directory that has none.
func TestInspectRefusesWhatIsNoMessage(t *testing.T) {
	s, _, env := sentMessage(t)
	path := filepath.Join(t.TempDir(), "bomb.eml")
	if err := os.WriteFile(path, []byte("From: a@example.com\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n"+strings.Repeat("--x\r\nContent-Type: text/plain\r\n\r\nhi\r\n", 500)), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runCmd(t, env, "inspect", "--data", s.dir, path); err == nil || !strings.Contains(err.Error(), "more than 32 parts") {
		t.Errorf("a message of 500 parts: %v", err)
	}
	empty := t.TempDir()
	if _, _, err := runCmd(t, env, "inspect", "--data", empty, path); err == nil || !strings.Contains(err.Error(), "no server secret") {
		t.Errorf("an empty data directory: %v", err)
	}
	if entries, _ := os.ReadDir(empty); len(entries) != 0 {
		t.Errorf("inspect made %d files in an empty data directory", len(entries))
	}
	out, _, err := runCmd(t, nil, "help", "inspect")
	if !strings.Contains(out, "--json") || !strings.Contains(out, "not_from_us") {
		t.Errorf("help inspect: %v\n%s", err, out)
	}
}
