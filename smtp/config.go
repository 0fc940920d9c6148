// Package smtp delivers otpd's mail to an SMTP relay: rendered, DKIM-signed
// and sent over STARTTLS or implicit TLS with authentication, on kept-open
// connections.
package smtp

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// TLS policies for Config.TLS.
const (
	// TLSRequire refuses to send unless the connection is encrypted and the
	// relay's certificate verifies.
	TLSRequire = "require"
	// TLSOpportunistic uses STARTTLS when the relay offers it, without
	// checking the certificate (RFC 7435): it defeats passive listening
	// only. A local relay without TLS then works with no setting.
	TLSOpportunistic = "opportunistic"
	// TLSNone never encrypts. Allowed only for a loopback relay, where the
	// mail never crosses a network.
	TLSNone = "none"
)

// Defaults for Config's zero-valued fields, with the reason for each.
const (
	// DefaultTimeout bounds each connect and each command's reply: a
	// person is waiting for the code, and a relay that has not answered in
	// 30 seconds is better retried.
	DefaultTimeout = 30 * time.Second
	// DefaultIdleTimeout is how long an unused connection is kept open.
	// Codes come in bursts; 30 seconds spans a burst while staying under
	// the idle limits relays enforce (Postfix: 300s, many providers: 60s).
	DefaultIdleTimeout = 30 * time.Second
	// DefaultMaxConns lets a burst of codes go out in parallel, and stays
	// under the few connections per client that relays allow. The outbox
	// worker may send more messages at once; they wait here for a
	// connection.
	DefaultMaxConns = 4
)

// Config says how to reach the relay.
type Config struct {
	// URL is smtp://user:pass@host:587 (STARTTLS) or
	// smtps://user:pass@host:465 (TLS from the start); user and pass are
	// percent-encoded and optional. The port defaults to 587 or 465.
	URL string
	// TLS is TLSRequire (the default), TLSOpportunistic or TLSNone. For a
	// smtp:// URL to a loopback host the default is TLSOpportunistic.
	TLS string
	// Timeout bounds connecting and each command; default DefaultTimeout.
	Timeout time.Duration
	// IdleTimeout closes connections unused this long; default
	// DefaultIdleTimeout.
	IdleTimeout time.Duration
	// MaxConns bounds the open connections; default DefaultMaxConns.
	MaxConns int
	// HELO is the name given in EHLO; default os.Hostname().
	HELO string
	// RootCAs verifies the relay's certificate; nil means the system's.
	RootCAs *x509.CertPool
	// Sign, when set, signs each rendered message (DKIM) before sending.
	Sign func(raw []byte) ([]byte, error)
}

// Endpoint is a parsed relay URL.
type Endpoint struct {
	// ImplicitTLS is true for smtps://, which speaks TLS from the start.
	ImplicitTLS bool
	Host        string // without brackets for IPv6
	Port        string
	Username    string // empty when the URL has no credentials
	Password    string
}

// Addr is host:port, for dialing and for logs.
func (e Endpoint) Addr() string { return net.JoinHostPort(e.Host, e.Port) }

// ParseURL parses and checks a relay URL, with errors that say what is
// wrong. The errors never repeat the URL, which may hold a password.
func ParseURL(raw string) (Endpoint, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return Endpoint{}, errors.New("smtp: the URL does not parse; percent-encode special characters in the user and password (like smtp://user:p%40ss@host:587)")
	}
	var e Endpoint
	switch strings.ToLower(u.Scheme) {
	case "smtp":
		e.Port = "587"
	case "smtps":
		e.ImplicitTLS, e.Port = true, "465"
	case "":
		return Endpoint{}, errors.New("smtp: the URL has no scheme; start it with smtp:// (STARTTLS) or smtps:// (implicit TLS)")
	default:
		return Endpoint{}, fmt.Errorf("smtp: unknown URL scheme %q; use smtp:// (STARTTLS) or smtps:// (implicit TLS)", u.Scheme)
	}
	e.Host = u.Hostname()
	if e.Host == "" {
		return Endpoint{}, errors.New("smtp: the URL has no host (like smtp://mail.example.com:587)")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return Endpoint{}, fmt.Errorf("smtp: bad port %q in the URL; want 1 to 65535", p)
		}
		e.Port = p
	} else if strings.HasSuffix(u.Host, ":") {
		return Endpoint{}, errors.New("smtp: the URL has an empty port after the colon")
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return Endpoint{}, errors.New("smtp: the URL has a path, query or fragment; want only scheme, credentials, host and port")
	}
	if u.User != nil {
		e.Username = u.User.Username()
		e.Password, _ = u.User.Password()
		if e.Username == "" {
			return Endpoint{}, errors.New("smtp: the URL has a password but no user")
		}
	}
	return e, nil
}

// IsLoopback reports whether host is this machine: localhost, 127.0.0.0/8
// or ::1. Mail to such a host never crosses a network.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// settings is a checked Config with its defaults filled in.
type settings struct {
	Endpoint
	tls         string
	timeout     time.Duration
	idleTimeout time.Duration
	maxConns    int
	helo        string
	rootCAs     *x509.CertPool
	sign        func([]byte) ([]byte, error)
}

func (c Config) settings() (settings, error) {
	e, err := ParseURL(c.URL)
	if err != nil {
		return settings{}, err
	}
	s := settings{
		Endpoint: e, tls: strings.ToLower(c.TLS), rootCAs: c.RootCAs, sign: c.Sign,
		timeout: c.Timeout, idleTimeout: c.IdleTimeout, maxConns: c.MaxConns, helo: c.HELO,
	}
	loopback := IsLoopback(e.Host)
	if s.tls == "" {
		s.tls = TLSRequire
		if loopback && !e.ImplicitTLS {
			s.tls = TLSOpportunistic
		}
	}
	switch s.tls {
	case TLSRequire, TLSOpportunistic:
	case TLSNone:
		if !loopback {
			return settings{}, fmt.Errorf("smtp: tls %q is allowed only for a loopback relay, not %s; mail and passwords would cross the network in clear", TLSNone, e.Host)
		}
		if e.ImplicitTLS {
			return settings{}, fmt.Errorf("smtp: tls %q contradicts smtps://; use smtp:// for a relay without TLS", TLSNone)
		}
	default:
		return settings{}, fmt.Errorf("smtp: unknown tls %q; want %q, %q or %q", c.TLS, TLSRequire, TLSOpportunistic, TLSNone)
	}
	// Unverified TLS does not stop an active attacker from taking the
	// password, so only a verified connection or loopback may carry it.
	if e.Username != "" && !loopback && s.tls != TLSRequire {
		return settings{}, fmt.Errorf("smtp: credentials for %s need tls %q; with %q they could go to an impostor", e.Host, TLSRequire, s.tls)
	}
	if s.timeout < 0 || s.idleTimeout < 0 || s.maxConns < 0 {
		return settings{}, errors.New("smtp: Timeout, IdleTimeout and MaxConns must not be negative")
	}
	if s.timeout == 0 {
		s.timeout = DefaultTimeout
	}
	if s.idleTimeout == 0 {
		s.idleTimeout = DefaultIdleTimeout
	}
	if s.maxConns == 0 {
		s.maxConns = DefaultMaxConns
	}
	if s.helo == "" {
		if s.helo, err = os.Hostname(); err != nil || s.helo == "" {
			s.helo = "localhost"
		}
	}
	if strings.ContainsAny(s.helo, " \r\n\x00") {
		return settings{}, fmt.Errorf("smtp: HELO name %q has a space or line break", s.helo)
	}
	return s, nil
}
