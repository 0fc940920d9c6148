package otpd

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
	"golang.org/x/text/unicode/norm"
)

// Address is a parsed, canonical email address: one mailbox, no display name,
// the local part in Unicode NFC, the domain in lower-case ASCII (IDNA). The
// local part keeps the case it was typed in, for delivery; Key compares
// case-insensitively (see Key for exactly how).
type Address struct {
	local  string
	domain string
}

// Limits from RFC 5321 §4.5.3.1.
const (
	maxLocalLen   = 64
	maxAddressLen = 254
	maxDomainLen  = 253
	maxLabelLen   = 63
)

// The lookup profile maps and validates the domain as a browser would; the
// domain is the only part IDNA applies to.
var domainProfile = idna.New(
	idna.MapForLookup(),
	idna.BidiRule(),
	idna.ValidateLabels(true),
	idna.StrictDomainName(true),
	idna.Transitional(false),
)

// ParseAddress turns what a person typed into an Address, or returns an
// EInvalid *Error naming field "email" that says what is wrong.
func ParseAddress(s string) (Address, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return Address{}, addrErr("enter an email address")
	case !utf8.ValidString(s):
		return Address{}, addrErr("the address is not valid text")
	}
	// NFC first, so that an address typed with composed or decomposed
	// accents is one address (RFC 6532 §3.1), and every check below sees
	// the form that is stored and mailed.
	s = norm.NFC.String(s)
	switch {
	case len(s) > maxAddressLen:
		return Address{}, addrErr("the address is longer than %d characters", maxAddressLen)
	case strings.ContainsAny(s, ",;"):
		return Address{}, addrErr("enter one address only")
	case strings.ContainsAny(s, "<>"):
		return Address{}, addrErr("enter the address alone, without a name (like name@example.com)")
	case strings.ContainsAny(s, "()"):
		return Address{}, addrErr("comments in parentheses are not allowed in the address")
	case strings.ContainsAny(s, "\""):
		return Address{}, addrErr("quoted addresses are not supported")
	}
	at := strings.LastIndexByte(s, '@')
	if at < 0 {
		return Address{}, addrErr("an address needs an @ (like name@example.com)")
	}
	local, domain := s[:at], s[at+1:]
	if err := checkLocal(local); err != nil {
		return Address{}, err
	}
	ascii, err := canonicalDomain(domain)
	if err != nil {
		return Address{}, err
	}
	return Address{local: local, domain: ascii}, nil
}

// MustParseAddress is ParseAddress for addresses known to be valid, such as
// constants in tests. It panics on an invalid address.
func MustParseAddress(s string) Address {
	a, err := ParseAddress(s)
	if err != nil {
		panic(err)
	}
	return a
}

func checkLocal(local string) error {
	switch {
	case local == "":
		return addrErr("the part before the @ is empty")
	case len(local) > maxLocalLen:
		return addrErr("the part before the @ is longer than %d characters", maxLocalLen)
	case strings.HasPrefix(local, ".") || strings.HasSuffix(local, ".") || strings.Contains(local, ".."):
		return addrErr("the part before the @ cannot start or end with a dot or have two dots in a row")
	}
	for _, r := range local {
		if !localRune(r) {
			if r == '@' {
				return addrErr("an address has only one @")
			}
			return addrErr("the part before the @ cannot contain %q", r)
		}
	}
	return nil
}

// localRune reports whether r may appear in a dot-atom local part: RFC 5322
// atext, plus non-ASCII letters and digits as RFC 6531 allows.
func localRune(r rune) bool {
	if r < utf8.RuneSelf {
		return r == '.' || ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') ||
			('0' <= r && r <= '9') || strings.ContainsRune("!#$%&'*+-/=?^_`{|}~", r)
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}

func canonicalDomain(domain string) (string, error) {
	if domain == "" {
		return "", addrErr("the part after the @ is empty")
	}
	if strings.HasPrefix(domain, "[") {
		return "", addrErr("addresses at an IP literal are not accepted; use a domain name")
	}
	ascii, err := domainProfile.ToASCII(domain)
	if err != nil {
		return "", addrErr("%q is not a valid domain name", domain)
	}
	ascii = strings.ToLower(strings.TrimSuffix(ascii, "."))
	if len(ascii) > maxDomainLen {
		return "", addrErr("the domain is longer than %d characters", maxDomainLen)
	}
	labels := strings.Split(ascii, ".")
	if len(labels) < 2 {
		return "", addrErr("the domain %q needs a dot (like example.com)", domain)
	}
	for _, l := range labels {
		if l == "" || len(l) > maxLabelLen || strings.HasPrefix(l, "-") || strings.HasSuffix(l, "-") {
			return "", addrErr("%q is not a valid domain name", domain)
		}
		for _, r := range l {
			if !(r == '-' || ('a' <= r && r <= 'z') || ('0' <= r && r <= '9')) {
				return "", addrErr("%q is not a valid domain name", domain)
			}
		}
	}
	if allDigits(labels[len(labels)-1]) {
		return "", addrErr("%q is not a valid domain name", domain)
	}
	return ascii, nil
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func addrErr(format string, args ...any) error {
	return FieldError("email", format, args...)
}

// String returns the address for delivery: local part as typed, ASCII domain.
func (a Address) String() string {
	if a.IsZero() {
		return ""
	}
	return a.local + "@" + a.domain
}

// Key returns the form two addresses are compared and stored by: the
// local part with its case folded by foldRune, then the domain. Providers
// treat local parts case-insensitively in practice, and an account must
// not be duplicated by a capital letter; but a fold must never make a
// different mailbox the same account, so two addresses share a key only
// when they differ by the case of their letters alone.
func (a Address) Key() string {
	if a.IsZero() {
		return ""
	}
	return foldLocal(a.local) + "@" + a.domain
}

// foldLocal folds the case of an NFC local part. Lower-casing a composed
// letter gives a composed letter, but the result is normalised again so
// that a key is NFC whatever the tables do.
func foldLocal(local string) string {
	ascii := true
	var b strings.Builder
	b.Grow(len(local))
	for _, r := range local {
		ascii = ascii && r < utf8.RuneSelf
		b.WriteRune(foldRune(r))
	}
	if ascii {
		return b.String()
	}
	return norm.NFC.String(b.String())
}

// foldRune is one letter of a key. ASCII letters are lower-cased. A
// non-ASCII letter is lower-cased too, unless its lower case is ASCII: the
// Turkish capital İ (U+0130) and the Kelvin sign (U+212A) lower to "i" and
// "k", and folding them would let mİke@ reach mike@'s account. They stay
// as typed, so the look-alike is an address of its own. No ASCII letter
// lower-cases outside ASCII, so the two sets never meet.
func foldRune(r rune) rune {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}
	if l := unicode.ToLower(r); l >= utf8.RuneSelf {
		return l
	}
	return r
}

// MailboxKey is the key of the mailbox an address delivers to, for limits
// that bound what one inbox receives: the Key without a sub-address tag
// (the part of the local part from the first "+", which most providers
// ignore in delivery), and without dots where the provider ignores them
// (Gmail). It never identifies an account: ada+1@ and ada@ are separate
// accounts that share one inbox's send caps.
func (a Address) MailboxKey() string {
	if a.IsZero() {
		return ""
	}
	local := foldLocal(a.local)
	if i := strings.IndexByte(local, '+'); i > 0 {
		local = local[:i]
	}
	domain := a.domain
	if d, ok := dotlessDomains[domain]; ok {
		local, domain = strings.ReplaceAll(local, ".", ""), d
	}
	return local + "@" + domain
}

// dotlessDomains are domains whose mailboxes ignore dots in the local
// part, with the domain their mail really lands at.
var dotlessDomains = map[string]string{
	"gmail.com":      "gmail.com",
	"googlemail.com": "gmail.com",
}

// Masked shows the address the way a page shows it to someone who may not
// be its owner: the local part's first character, then dots, then the
// domain ("j•••@example.com").
func (a Address) Masked() string {
	if a.IsZero() {
		return ""
	}
	first, _ := utf8.DecodeRuneInString(a.local)
	return string(first) + "•••@" + a.domain
}

// Local returns the local part, as typed.
func (a Address) Local() string { return a.local }

// Domain returns the ASCII domain.
func (a Address) Domain() string { return a.domain }

// IsZero reports whether a is the zero Address.
func (a Address) IsZero() bool { return a.local == "" && a.domain == "" }
