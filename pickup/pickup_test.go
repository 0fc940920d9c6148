package pickup_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/dkim"
	"github.com/otpd/otpd/pickup"
	"github.com/otpd/otpd/smtptest"
)

func email(code string) otpd.Email {
	return otpd.Email{
		MessageID: "<ch1@login.example.com>",
		From:      "Example Sign-in <no-reply@example.com>",
		To:        otpd.MustParseAddress("alice@example.org"),
		Subject:   "Your sign-in code",
		Date:      time.Date(2026, 11, 3, 10, 0, 0, 0, time.UTC),
		Text:      "Your code is " + code + ".\n",
		HTML:      "<p>Your code is <b>" + code + "</b>.</p>\n",
	}
}

func signer(t *testing.T) (*dkim.Signer, map[string]string) {
	t.Helper()
	key, err := dkim.GenerateRSA()
	if err != nil {
		t.Fatal(err)
	}
	s := &dkim.Signer{Domain: "example.com", Selector: "otpd", RSA: key}
	name, value, err := dkim.TXTRecord(s.Selector, s.Domain, key.Public())
	if err != nil {
		t.Fatal(err)
	}
	return s, map[string]string{name: value}
}

// files lists Dir, temporary files included.
func files(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestWritesSignedMIMEFile(t *testing.T) {
	dir := t.TempDir()
	s, records := signer(t)
	m := &pickup.Mailer{Dir: dir, Sign: s.Sign}
	if err := m.Send(context.Background(), email("123456")); err != nil {
		t.Fatal(err)
	}
	names := files(t, dir)
	if len(names) != 1 || !strings.HasSuffix(names[0], ".eml") {
		t.Fatalf("directory holds %v, want one .eml file", names)
	}
	path := filepath.Join(dir, names[0])
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, want 0640", fi.Mode().Perm())
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := smtptest.VerifyDKIM(raw, records); err != nil {
		t.Error(err)
	}
	_, parts, err := smtptest.Parts(raw)
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, p := range parts {
		types = append(types, p.ContentType)
	}
	if !slices.Equal(types, []string{"text/plain", "text/html"}) {
		t.Errorf("parts %v", types)
	}
}

func TestSameMessageTwiceKeepsOneFile(t *testing.T) {
	dir := t.TempDir()
	m := &pickup.Mailer{Dir: dir}
	for _, code := range []string{"111111", "222222"} {
		if err := m.Send(context.Background(), email(code)); err != nil {
			t.Fatal(err)
		}
	}
	names := files(t, dir)
	if len(names) != 1 {
		t.Fatalf("directory holds %v, want one file", names)
	}
	raw, err := os.ReadFile(filepath.Join(dir, names[0]))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(raw, []byte("222222")) {
		t.Error("the second write did not replace the first")
	}
	other := email("333333")
	other.MessageID = "<ch2@login.example.com>"
	if err := m.Send(context.Background(), other); err != nil {
		t.Fatal(err)
	}
	if n := len(files(t, dir)); n != 2 {
		t.Errorf("another message made %d files in all, want 2", n)
	}
}

func TestFileName(t *testing.T) {
	safe := regexp.MustCompile(`^[A-Za-z0-9_-][A-Za-z0-9._-]*\.eml$`)
	ids := []string{
		"<ch1@login.example.com>",
		"<ch1_login.example.com>", // reads alike once "@" is replaced
		"<../../etc/passwd>",
		"<.hidden@x>",
		"<" + strings.Repeat("a", 300) + "@x>",
		"<ünïcode@x>",
	}
	seen := map[string]string{}
	for _, id := range ids {
		name := pickup.FileName(id)
		if !safe.MatchString(name) || len(name) > 120 {
			t.Errorf("FileName(%q) = %q, not a short safe name", id, name)
		}
		if prev, ok := seen[name]; ok {
			t.Errorf("%q and %q share the file %q", prev, id, name)
		}
		seen[name] = id
		if pickup.FileName(id) != name {
			t.Errorf("FileName(%q) is not stable", id)
		}
	}
}

func TestRefusesInjectionAndWritesNothing(t *testing.T) {
	dir := t.TempDir()
	m := &pickup.Mailer{Dir: dir}
	e := email("123456")
	e.Subject = "Your code\r\nBcc: x@evil.example"
	err := m.Send(context.Background(), e)
	var perm *otpd.PermanentError
	if !errors.As(err, &perm) {
		t.Fatalf("got %v, want a permanent error", err)
	}
	if names := files(t, dir); len(names) != 0 {
		t.Errorf("directory holds %v", names)
	}
}

func TestMissingDirIsTemporary(t *testing.T) {
	m := &pickup.Mailer{Dir: filepath.Join(t.TempDir(), "absent")}
	err := m.Send(context.Background(), email("123456"))
	var perm *otpd.PermanentError
	if err == nil || errors.As(err, &perm) {
		t.Fatalf("got %v, want a temporary error", err)
	}
}
