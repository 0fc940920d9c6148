package config

import (
	"fmt"
	"net/mail"
	"net/url"
	"strings"
	"time"
)

// FromAddress returns the address part of Mail.From, and "" when it does
// not parse (Validate reports that).
func (c Config) FromAddress() string {
	a, err := mail.ParseAddress(c.Mail.From)
	if err != nil {
		return ""
	}
	return a.Address
}

// DKIMDomain returns the signing domain: DKIM.Domain, or the From domain.
func (c Config) DKIMDomain() string {
	if c.DKIM.Domain != "" {
		return strings.ToLower(strings.TrimSuffix(c.DKIM.Domain, "."))
	}
	return fromDomain(c.FromAddress())
}

func fromDomain(addr string) string {
	_, domain, _ := strings.Cut(addr, "@")
	return strings.ToLower(domain)
}

func (c Config) mailProblems(bad func(key, format string, args ...any)) {
	from := c.FromAddress()
	switch {
	case from == "":
		bad("mail.from", `must be an address such as "Example Accounts <accounts@example.com>", got %q`, c.Mail.From)
	case strings.ContainsAny(c.Mail.From, "\r\n"):
		bad("mail.from", "must be one line")
	case c.SMTP.URL != "" && c.Mail.From == DefaultFrom:
		bad("mail.from", "must be set to an address at your own domain when smtp.url is set")
	}
	if d := c.DKIMDomain(); from != "" && !aligned(fromDomain(from), d) {
		// DMARC passes only when the signing domain is the From domain
		// or a parent of it; a misaligned signature proves nothing.
		bad("dkim.domain", "must be the domain of mail.from (%s) or a parent of it, got %q", fromDomain(from), d)
	}
	if c.DKIM.Selector == "" || strings.ContainsAny(c.DKIM.Selector, " ;=\r\n") {
		bad("dkim.selector", "must be a DNS label such as otpd, got %q", c.DKIM.Selector)
	}
	for i, p := range c.DKIM.Previous {
		if p.Selector == "" || strings.ContainsAny(p.Selector, " ;=\r\n") {
			bad(fmt.Sprintf("dkim.previous[%d].selector", i), "must be a DNS label such as otpd, got %q", p.Selector)
		}
		if p.KeyFile == "" {
			bad(fmt.Sprintf("dkim.previous[%d].key_file", i), "must name the key's file")
		}
	}
	if c.SMTP.URL != "" {
		if msg := checkSMTPURL(c.SMTP.URL); msg != "" {
			bad("smtp.url", "%s", msg)
		}
		if c.Mail.PickupDir != "" {
			bad("mail.pickup_dir", "must be empty when smtp.url is set: mail goes one way")
		}
	}
	switch c.SMTP.TLS {
	case "", "require", "opportunistic", "none":
	default:
		bad("smtp.tls", "must be require, opportunistic or none, got %q", c.SMTP.TLS)
	}
	durationBetween(bad, "smtp.timeout", c.SMTP.Timeout, time.Second, 5*time.Minute)
}

func aligned(fromDomain, signing string) bool {
	return fromDomain == signing || strings.HasSuffix(fromDomain, "."+signing)
}

// checkSMTPURL explains what is wrong with an SMTP URL, or returns "". The
// message never repeats the URL: it may hold a password.
func checkSMTPURL(raw string) string {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return "must be a URL such as smtp://user:pass@host:587 (percent-encode special characters in the password)"
	case u.Scheme != "smtp" && u.Scheme != "smtps":
		return "must start with smtp:// (STARTTLS) or smtps:// (implicit TLS)"
	case u.Hostname() == "":
		return "must name a host"
	case u.Path != "" && u.Path != "/":
		return "must have no path"
	}
	return ""
}
