package otpd_test

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/otpd/otpd"
)

// TestKeyMergesOnlyCaseVariants walks every code point a local part may
// hold and proves that the key never merges two different mailboxes: two
// letters share a key only when their canonical (NFC) forms are case
// variants of each other, and a key is ASCII only when the address that is
// mailed is (the look-alike that reached the real account was mİke@, keyed
// as mike@ and mailed as typed).
func TestKeyMergesOnlyCaseVariants(t *testing.T) {
	byKey := map[string][]rune{}
	for r := rune(0x21); r <= unicode.MaxRune; r++ {
		if !utf8.ValidRune(r) {
			continue
		}
		a, err := otpd.ParseAddress("x" + string(r) + "y@example.com")
		if err != nil {
			continue
		}
		// NFC may turn a code point into ASCII (the Kelvin sign is K):
		// then the address is that ASCII address, and is mailed as such.
		local := strings.TrimSuffix(a.Key(), "@example.com")
		if isASCII(local) != isASCII(a.Local()) {
			t.Errorf("U+%04X %q: the address %q has the key %q", r, r, a.Local(), local)
		}
		byKey[local] = append(byKey[local], r)
	}
	if len(byKey) < 100000 {
		t.Fatalf("only %d keys: the walk did not cover the tables", len(byKey))
	}
	for key, rs := range byKey {
		for _, r := range rs[1:] {
			if !strings.EqualFold(norm.NFC.String(string(rs[0])), norm.NFC.String(string(r))) {
				t.Errorf("key %q: U+%04X %q and U+%04X %q are not case variants", key, rs[0], rs[0], r, r)
			}
		}
	}
}

func TestKeyLookAlikes(t *testing.T) {
	mike := otpd.MustParseAddress("mike@example.com").Key()
	for _, s := range []string{"mİke@example.com", "mi\u0307ke@example.com", "mı\u0307ke@example.com",
		"m\u0130ke@example.com", "mıke@example.com", "ſmike@example.com", "mikе@example.com"} {
		a := otpd.MustParseAddress(s)
		if a.Key() == mike || a.MailboxKey() == otpd.MustParseAddress("mike@example.com").MailboxKey() {
			t.Errorf("%q shares mike@example.com's key %q", s, a.Key())
		}
	}
	// The Kelvin sign is canonically K: that address is mike's, mailed as
	// ASCII, not a look-alike.
	if a := otpd.MustParseAddress("mi\u212Ae@example.com"); a.Key() != mike || a.String() != "miKe@example.com" {
		t.Errorf("Kelvin sign: %q key %q", a, a.Key())
	}
	for _, s := range []string{"MIKE@example.com", "Mike@EXAMPLE.com", "mike@example.com."} {
		if k := otpd.MustParseAddress(s).Key(); k != mike {
			t.Errorf("%q key %q, want %q", s, k, mike)
		}
	}
}

// TestKeyOneFormPerAddress: composed and decomposed spellings of one
// address are one address, stored and mailed in NFC.
func TestKeyOneFormPerAddress(t *testing.T) {
	n := 0
	for r := rune(0x80); r <= unicode.MaxRune; r++ {
		s := string(r)
		if !utf8.ValidRune(r) || !norm.NFC.IsNormalString(s) || norm.NFD.String(s) == s {
			continue
		}
		nfc, err := otpd.ParseAddress("a" + s + "@example.com")
		if err != nil {
			continue
		}
		nfd, err := otpd.ParseAddress("a" + norm.NFD.String(s) + "@example.com")
		if err != nil {
			t.Errorf("U+%04X: NFD spelling refused: %v", r, err)
			continue
		}
		n++
		if nfc != nfd || nfc.Key() != nfd.Key() {
			t.Errorf("U+%04X: NFC %q key %q, NFD %q key %q", r, nfc, nfc.Key(), nfd, nfd.Key())
		}
		if !norm.NFC.IsNormalString(nfd.String()) || !norm.NFC.IsNormalString(nfd.Key()) {
			t.Errorf("U+%04X: %q or its key %q is not NFC", r, nfd, nfd.Key())
		}
	}
	if n < 1000 {
		t.Fatalf("only %d composed letters checked", n)
	}
}

func TestMailboxKey(t *testing.T) {
	for _, tc := range []struct{ a, b string }{
		{"ada+1@example.com", "ada@example.com"},
		{"Ada+news+x@Example.com", "ada@example.com"},
		{"a.d.a+x@gmail.com", "ada@gmail.com"},
		{"A.DA@googlemail.com", "ada@gmail.com"},
	} {
		if ka, kb := otpd.MustParseAddress(tc.a).MailboxKey(), otpd.MustParseAddress(tc.b).MailboxKey(); ka != kb {
			t.Errorf("%q mailbox %q, %q mailbox %q: want one mailbox", tc.a, ka, tc.b, kb)
		}
	}
	for _, tc := range []struct{ a, b string }{
		{"a.da@example.com", "ada@example.com"},
		{"+ada@example.com", "ada@example.com"},
		{"ada+1@example.com", "ada+1@example.org"},
	} {
		if ka, kb := otpd.MustParseAddress(tc.a).MailboxKey(), otpd.MustParseAddress(tc.b).MailboxKey(); ka == kb {
			t.Errorf("%q and %q share the mailbox %q", tc.a, tc.b, ka)
		}
	}
	if a := otpd.MustParseAddress("ada+1@example.com"); a.Key() == otpd.MustParseAddress("ada@example.com").Key() {
		t.Errorf("ada+1@ and ada@ are one account")
	}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
