package password_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/password"
)

// longest is a 256-character passphrase that is not one word repeated.
func longest() string {
	var b strings.Builder
	for i := 0; b.Len() < 256; i++ {
		fmt.Fprintf(&b, "line %d of a long passphrase, ", i)
	}
	return b.String()[:256]
}

func TestPolicyAccepts(t *testing.T) {
	for _, pw := range []string{
		"correct horse battery staple",
		"Tr0ub4dour&3 with a twist",
		"ein Känguru im Fahrstuhl",
		// Unrelated words clear the strength estimate; a year does not spoil them.
		"blue cactus river",
		"summer vacation 2019",
		// 16 code points in 48 bytes: length counts characters.
		"吾輩は猫である。名前はまだ無い。",
		// 256 characters, the most allowed.
		longest(),
	} {
		if err := (password.Policy{}).Check(pw, "ada.lovelace@example.com", "ada.lovelace"); err != nil {
			t.Errorf("Check(%q) = %v, want nil", pw, err)
		}
	}
}

func TestPolicyRefuses(t *testing.T) {
	for _, tc := range []struct {
		name, pw, message string
	}{
		{"short", "Tr0ub4dour&3", "use at least 15 characters"},
		{"short in bytes too", "ключ от дома", "use at least 15 characters"},
		{"long", strings.Repeat("long passphrase ", 16) + "!", "use at most 256 characters"},
		{"common", "passwordpassword", "most common passwords"},
		{"common in other case", "PassWordPassWord", "most common passwords"},
		{"common keyboard walk", "1qaz2wsx3edc4rfv", "most common passwords"},
		{"is the address", "ada.lovelace@example.com", "contains your address or name"},
		{"contains local part", "my name is Ada.Lovelace!", "contains your address or name"},
		{"one character", "aaaaaaaaaaaaaaaaaaaa", "simple pattern"},
		{"two characters", "abababababababababab", "simple pattern"},
		{"alphabet", "abcdefghijklmnopqrst", "simple pattern"},
		{"digits, wrapping", "12345678901234567890", "simple pattern"},
		{"one word again and again", "sunflowersunflowersunflower", "simple pattern"},
		{"digits, downward", "98765432109876543210", "simple pattern"},
		{"not text", "correct horse battery \xff\xfe", "not valid text"},
		{"listed word and digits", "password12345678", "easy to guess"},
		{"listed phrase and digits", "iloveyou12345678", "easy to guess"},
		{"keyboard walk and digits", "qwertyuiop123456", "easy to guess"},
		{"word twice and digits", "monkeymonkey1234", "easy to guess"},
		{"word and a year twice", "sunshine20252025", "easy to guess"},
		{"part of the address and digits", "lovelace12345678", "easy to guess: it is made of your address or the service's name and common words or names"},
		{"keyboard walk and a name", "qwertzuiopsandra", "easy to guess"},
	} {
		err := password.Policy{}.Check(tc.pw, "ada.lovelace@example.com", "ada.lovelace", "")
		var e *otpd.Error
		if !errors.As(err, &e) {
			t.Errorf("%s: Check(%q) = %v, want an *otpd.Error", tc.name, tc.pw, err)
			continue
		}
		if e.Code != otpd.EInvalid || e.Field != "password" || !strings.Contains(e.Message, tc.message) || strings.Contains(e.Message, tc.pw) {
			t.Errorf("%s: Check(%q) = %+v, want EInvalid on field password saying %q, without the password", tc.name, tc.pw, e, tc.message)
		}
	}
}

func TestPolicyLimitsAreConfigurable(t *testing.T) {
	p := password.Policy{MinLength: 8, MaxLength: 64}
	if err := p.Check("Gz7!qPw2"); err != nil {
		t.Errorf("8 characters under MinLength 8: %v", err)
	}
	if err := p.Check("sunshine"); err == nil {
		t.Error("\"sunshine\" passed under MinLength 8, but it is a common password")
	}
	if err := p.Check(strings.Repeat("x7", 33)); err == nil {
		t.Error("66 characters passed under MaxLength 64")
	}
}

// A context word of two or three characters would refuse every password
// that happens to contain it.
func TestPolicyIgnoresShortContext(t *testing.T) {
	if err := (password.Policy{}).Check("joyful journey to the coast", "jo", "joy"); err != nil {
		t.Errorf("short context words refused a good password: %v", err)
	}
}
