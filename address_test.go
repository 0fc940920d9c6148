package otpd_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/otpd/otpd"
)

func TestParseAddress(t *testing.T) {
	for _, tc := range []struct {
		in, str, key string
	}{
		{"ada@example.com", "ada@example.com", "ada@example.com"},
		{"  Ada.Lovelace@Example.COM \n", "Ada.Lovelace@example.com", "ada.lovelace@example.com"},
		{"a+tag@sub.example.org", "a+tag@sub.example.org", "a+tag@sub.example.org"},
		{"user@bücher.example", "user@xn--bcher-kva.example", "user@xn--bcher-kva.example"},
		{"user@BÜCHER.example", "user@xn--bcher-kva.example", "user@xn--bcher-kva.example"},
		{"josé@example.com", "josé@example.com", "josé@example.com"},
		{"x@example.com.", "x@example.com", "x@example.com"},
	} {
		a, err := otpd.ParseAddress(tc.in)
		if err != nil {
			t.Errorf("ParseAddress(%q): %v", tc.in, err)
			continue
		}
		if a.String() != tc.str || a.Key() != tc.key {
			t.Errorf("ParseAddress(%q) = %q key %q, want %q key %q", tc.in, a, a.Key(), tc.str, tc.key)
		}
	}
}

func TestParseAddressRefuses(t *testing.T) {
	for _, tc := range []struct{ in, says string }{
		{"", "enter an email address"},
		{"   ", "enter an email address"},
		{"Ada <ada@example.com>", "without a name"},
		{"ada@example.com (Ada)", "comments"},
		{"ada@example.com, bob@example.com", "one address"},
		{"ada@example.com;bob@example.com", "one address"},
		{`"ada lovelace"@example.com`, "quoted"},
		{"ada", "needs an @"},
		{"@example.com", "before the @ is empty"},
		{"ada@", "after the @ is empty"},
		{"ada@@example.com", "only one @"},
		{"a@b@example.com", "only one @"},
		{".ada@example.com", "dot"},
		{"ada..l@example.com", "dot"},
		{"ada@localhost", "needs a dot"},
		{"ada@[192.0.2.1]", "IP literal"},
		{"ada@192.0.2.1", "not a valid domain"},
		{"ada@-bad.example", "not a valid domain"},
		{"ada@exa_mple.com", "not a valid domain"},
		{"ada@example..com", "not a valid domain"},
		{"ad a@example.com", "cannot contain"},
		{strings.Repeat("a", 65) + "@example.com", "longer than 64"},
		{"a@" + strings.Repeat("b", 250) + ".com", "longer than 254"},
		{"ada@exam\xffple.com", "not valid text"},
	} {
		_, err := otpd.ParseAddress(tc.in)
		var e *otpd.Error
		if !errors.As(err, &e) {
			t.Errorf("ParseAddress(%q) = %v, want *otpd.Error", tc.in, err)
			continue
		}
		if e.Code != otpd.EInvalid || e.Field != "email" || !strings.Contains(e.Message, tc.says) {
			t.Errorf("ParseAddress(%q): %s %s %q, want invalid_request email containing %q", tc.in, e.Code, e.Field, e.Message, tc.says)
		}
	}
}

func FuzzParseAddress(f *testing.F) {
	for _, s := range []string{"ada@example.com", "Ada <a@b.c>", "user@bücher.example", `"q"@x.y`, "a@b", "x@xn--bcher-kva.example", "é@É.fr"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := otpd.ParseAddress(s)
		if err != nil {
			var e *otpd.Error
			if !errors.As(err, &e) || e.Field != "email" || e.Message == "" {
				t.Fatalf("ParseAddress(%q) error %v does not name the field", s, err)
			}
			return
		}
		// What parses once parses to itself: stored addresses are read
		// back with ParseAddress.
		b, err := otpd.ParseAddress(a.String())
		if err != nil || b != a {
			t.Fatalf("ParseAddress(%q) = %q, which re-parses to %q, %v", s, a, b, err)
		}
		if strings.Count(a.String(), "@") != 1 || strings.ContainsAny(a.String(), " <>(),;\"\r\n") {
			t.Fatalf("ParseAddress(%q) = %q", s, a)
		}
		if a.Domain() != strings.ToLower(a.Domain()) || len(a.String()) > 254 {
			t.Fatalf("ParseAddress(%q) domain %q", s, a.Domain())
		}
	})
}
