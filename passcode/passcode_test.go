package passcode_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/otpd/otpd/passcode"
)

var secret = bytes.Repeat([]byte{7}, passcode.MinSecretLen)

func newBook(t *testing.T, digits int) *passcode.Book {
	t.Helper()
	b, err := passcode.New(secret, digits)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestNewRefusesWeakSettings(t *testing.T) {
	if _, err := passcode.New(secret[:16], 9); err == nil {
		t.Error("a 16-byte secret was accepted")
	}
	for _, d := range []int{5, 11} {
		if _, err := passcode.New(secret, d); err == nil {
			t.Errorf("%d digits were accepted", d)
		}
	}
}

// Each digit position must be uniform: a biased generator shortens the
// attacker's search. 20,000 codes give each digit value ~2,000 draws per
// position; the chi-square bound (9 degrees of freedom) is far past the
// 0.9999 quantile (~33.7), so a fair generator does not flake.
func TestCodesAreUniformDigits(t *testing.T) {
	const n, digits = 20000, 8
	b := newBook(t, digits)
	var counts [digits][10]int
	for range n {
		c, err := b.New()
		if err != nil {
			t.Fatal(err)
		}
		if len(c) != digits {
			t.Fatalf("code %q has %d digits, want %d", c, len(c), digits)
		}
		for i, r := range c {
			counts[i][r-'0']++
		}
	}
	want := float64(n) / 10
	for pos, row := range counts {
		var chi float64
		for _, got := range row {
			d := float64(got) - want
			chi += d * d / want
		}
		if chi > 40 {
			t.Errorf("position %d: chi-square %.1f, counts %v", pos, chi, row)
		}
	}
}

func TestMACBindsCodeToChallenge(t *testing.T) {
	b := newBook(t, 9)
	m := b.MAC("ch1", "123456789")
	if !bytes.Equal(m, b.MAC("ch1", "123456789")) {
		t.Fatal("MAC is not deterministic")
	}
	for name, other := range map[string][]byte{
		"other challenge":  b.MAC("ch2", "123456789"),
		"other code":       b.MAC("ch1", "123456788"),
		"shifted boundary": b.MAC("ch11", "23456789"),
		"other secret":     mustBook(t, bytes.Repeat([]byte{8}, 32)).MAC("ch1", "123456789"),
		"the code itself":  []byte("123456789"),
	} {
		if bytes.Equal(m, other) {
			t.Errorf("%s gives the same MAC", name)
		}
	}
	if bytes.Contains(m, []byte("123456789")) {
		t.Error("the MAC contains the code")
	}
}

func mustBook(t *testing.T, s []byte) *passcode.Book {
	b, err := passcode.New(s, 9)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A forgery report and an outbox payload are sealed under one key but
// bound to their uses: neither opens as the other.
func TestReportsAndPayloadsDoNotOpenAsEachOther(t *testing.T) {
	b := newBook(t, 9)
	payload, err := b.Seal([]byte(`{"code":"123456789"}`))
	if err != nil {
		t.Fatal(err)
	}
	report, err := b.SealReport([]byte(`{"from_domain":"evil.example"}`))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := b.OpenReport(report); err != nil || string(got) != `{"from_domain":"evil.example"}` {
		t.Fatalf("OpenReport = %q, %v", got, err)
	}
	if _, err := b.OpenReport(payload); !errors.Is(err, passcode.ErrUnsealable) {
		t.Errorf("an outbox payload opened as a report: %v", err)
	}
	if _, err := b.Open(report); !errors.Is(err, passcode.ErrUnsealable) {
		t.Errorf("a report opened as an outbox payload: %v", err)
	}
}

func TestSealHidesAndOpenRestores(t *testing.T) {
	b := newBook(t, 9)
	plain := []byte(`{"code":"123456789"}`)
	sealed, err := b.Seal(plain)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte("123456789")) {
		t.Fatal("sealed payload contains the code")
	}
	got, err := b.Open(sealed)
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("Open = %q, %v", got, err)
	}
	tampered := bytes.Clone(sealed)
	tampered[len(tampered)-1] ^= 1
	for name, s := range map[string][]byte{"tampered": tampered, "short": sealed[:5], "empty": nil} {
		if _, err := b.Open(s); !errors.Is(err, passcode.ErrUnsealable) {
			t.Errorf("%s: Open err = %v, want ErrUnsealable", name, err)
		}
	}
	if _, err := mustBook(t, bytes.Repeat([]byte{9}, 32)).Open(sealed); !errors.Is(err, passcode.ErrUnsealable) {
		t.Errorf("another secret opened the payload: %v", err)
	}
}

func TestNormalize(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string
		ok   bool
	}{
		{"123456789", "123456789", true},
		{" 123 456 789 ", "123456789", true},
		{"123-456-789", "123456789", true},
		{"12345678", "", false},
		{"1234567890", "", false},
		{"12345678x", "", false},
		{"١٢٣٤٥٦٧٨٩", "", false},
		{"", "", false},
	} {
		got, ok := passcode.Normalize(tc.in, 9)
		if got != tc.want || ok != tc.ok {
			t.Errorf("Normalize(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestLoadOrCreateSecret(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "secret.key")
	s1, created, err := passcode.LoadOrCreateSecret(path)
	if err != nil || !created || len(s1) != passcode.MinSecretLen {
		t.Fatalf("first call: %d bytes, created %v, %v", len(s1), created, err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("secret file mode %v, want 0600", fi.Mode().Perm())
	}
	s2, created, err := passcode.LoadOrCreateSecret(path)
	if err != nil || created || !bytes.Equal(s1, s2) {
		t.Fatalf("second call: created %v, same %v, %v", created, bytes.Equal(s1, s2), err)
	}
	bad := filepath.Join(t.TempDir(), "bad.key")
	os.WriteFile(bad, []byte(strings.Repeat("ab", 8)), 0o600)
	if _, _, err := passcode.LoadOrCreateSecret(bad); err == nil {
		t.Error("a short secret file was accepted")
	}
}

func TestDenyToken(t *testing.T) {
	b := newBook(t, 9)
	tok := b.DenyToken("abc123")
	if id, ok := b.CheckDenyToken(tok); !ok || id != "abc123" {
		t.Fatalf("CheckDenyToken(%q) = %q, %v", tok, id, ok)
	}
	other := mustBook(t, bytes.Repeat([]byte{8}, 32))
	forged := []string{
		"", "abc123", ".", "abc123.", tok + "x", "abc124" + tok[len("abc123"):],
		other.DenyToken("abc123"), strings.ToUpper(tok),
	}
	for _, f := range forged {
		if id, ok := b.CheckDenyToken(f); ok {
			t.Errorf("forged token %q accepted for %q", f, id)
		}
	}
}

// A device cookie names its device for the account it was made for and
// for no other; nor does one of the earlier kind, signed for the device
// alone, name a device for anyone.
func TestDeviceTokenBindsItsAccount(t *testing.T) {
	b := newBook(t, 9)
	tok := b.DeviceToken("acct1", "dev1")
	if id, ok := b.CheckDeviceToken(tok, "acct1"); !ok || id != "dev1" {
		t.Fatalf("CheckDeviceToken(%q, acct1) = %q, %v", tok, id, ok)
	}
	for _, acct := range []string{"acct2", "", "acct1\x00dev1", "acct"} {
		if id, ok := b.CheckDeviceToken(tok, acct); ok {
			t.Errorf("cookie of acct1 accepted for %q as %q", acct, id)
		}
	}
	other := mustBook(t, bytes.Repeat([]byte{8}, 32))
	forged := []string{
		"", "dev1", ".", "dev1.", tok + "x", "dev2" + tok[len("dev1"):],
		other.DeviceToken("acct1", "dev1"), b.DeviceToken("acct2", "dev1"), b.DenyToken("dev1"),
		legacyDeviceToken(secret, "dev1"),
	}
	for _, f := range forged {
		if id, ok := b.CheckDeviceToken(f, "acct1"); ok {
			t.Errorf("forged cookie %q accepted as %q", f, id)
		}
	}
}

// legacyDeviceToken is a device cookie as otpd made them before the tag
// covered the account: an HMAC of the device ID alone.
func legacyDeviceToken(secret []byte, deviceID string) string {
	k := hmac.New(sha256.New, secret)
	k.Write([]byte("otpd/v1/device-cookie"))
	m := hmac.New(sha256.New, k.Sum(nil))
	m.Write([]byte(deviceID))
	return deviceID + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:16])
}
