package password

import (
	"strings"
	"unicode/utf8"

	"github.com/otpd/otpd"
	"golang.org/x/text/unicode/norm"
)

// Policy says which passwords a person may set. It follows NIST SP
// 800-63B-4 §3.1.1.2: a minimum length, a generous maximum, a blocklist
// and context words, a strength estimate that catches what the blocklist
// misses (its variants), and no composition rules (no "one digit and one
// symbol"), which make passwords harder to remember and no harder to guess.
// The zero value is DefaultPolicy.
type Policy struct {
	// MinLength counts Unicode code points, as NIST asks.
	MinLength int
	MaxLength int
}

// DefaultPolicy asks for 15 characters. NIST requires 15 for a password
// that signs in on its own and allows 8 when a second factor is always
// required. otpd asks for a code on an unfamiliar device or place, but on
// a device it knows the password alone signs the person in, so that is the
// case to size for. A deployment that requires a code at every sign-in may
// lower MinLength, and never below 8. The maximum leaves room for long
// passphrases while keeping what is normalised and hashed small.
var DefaultPolicy = Policy{MinLength: 15, MaxLength: 256}

// minContextLen keeps short context words (a local part like "jo") from
// refusing every password that happens to contain them.
const minContextLen = 4

// Check returns nil when pw may be set as a password, and otherwise an
// EInvalid *otpd.Error naming field "password" whose message tells the
// person what to change. context holds words tied to the account that an
// attacker would try first, such as the address, its local part and the
// service's name; pw is refused if it contains any of them, ignoring case.
func (p Policy) Check(pw string, context ...string) error {
	if !utf8.ValidString(pw) {
		return refuse("the password is not valid text")
	}
	p = p.withDefaults()
	pw = norm.NFKC.String(pw) // as it will be hashed
	n := utf8.RuneCountInString(pw)
	switch {
	case n < p.MinLength:
		return refuse("the password is too short: use at least %d characters (a few unrelated words make a good one)", p.MinLength)
	case n > p.MaxLength:
		return refuse("the password is too long: use at most %d characters", p.MaxLength)
	case isCommon(pw):
		return refuse("this password is one of the most common passwords, which attackers try first; choose another")
	case containsContext(pw, context):
		return refuse("the password contains your address or name, which attackers try first; choose another")
	case isPattern(pw):
		return refuse("the password is a simple pattern of repeated or consecutive characters; choose one that is harder to guess")
	}
	if why := guessable(pw, context); why != "" {
		return refuse("the password is easy to guess: %s, which attackers try first; add a few unrelated words", why)
	}
	return nil
}

func (p Policy) withDefaults() Policy {
	if p.MinLength == 0 {
		p.MinLength = DefaultPolicy.MinLength
	}
	if p.MaxLength == 0 {
		p.MaxLength = DefaultPolicy.MaxLength
	}
	return p
}

func refuse(format string, args ...any) error {
	return otpd.FieldError("password", format, args...)
}

func containsContext(pw string, context []string) bool {
	lower := strings.ToLower(pw)
	for _, c := range context {
		c = strings.ToLower(norm.NFKC.String(strings.TrimSpace(c)))
		if utf8.RuneCountInString(c) >= minContextLen && strings.Contains(lower, c) {
			return true
		}
	}
	return false
}

// isPattern catches what the common list leaves out because its makers
// relied on pattern rules instead: a few characters over and over
// ("abababab..."), or mostly a run up or down the alphabet or the digits
// ("abcdefgh...", "1234567890123..."), which is when more than three in
// four neighbouring characters are equal or one apart, or one word
// repeated.
func isPattern(pw string) bool {
	const minDistinct = 5
	rs := []rune(pw)
	distinct := make(map[rune]bool, len(rs))
	for _, r := range rs {
		distinct[r] = true
	}
	steps, pairs := 0, len(rs)-1
	for i := 1; i < len(rs); i++ {
		if d := rs[i] - rs[i-1]; d >= -1 && d <= 1 {
			steps++
		}
	}
	return len(distinct) < minDistinct || (pairs > 0 && steps*4 > pairs*3) || repeats(strings.ToLower(pw))
}

// repeats reports whether s is one shorter string said again and again
// ("passwordpasswordpassword"): its length comes from the repetition, not
// from anything an attacker would have to guess.
func repeats(s string) bool {
	for unit := 1; unit <= len(s)/2; unit++ {
		if len(s)%unit == 0 && strings.Repeat(s[:unit], len(s)/unit) == s {
			return true
		}
	}
	return false
}
