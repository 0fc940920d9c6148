package smtp

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"time"

	gomailsmtp "github.com/wneessen/go-mail/smtp"
)

// conn is one session with the relay: greeted, encrypted as the policy
// asks, and authenticated. It is used by one Send at a time.
type conn struct {
	c *gomailsmtp.Client
	// tcp is the connection under any TLS; closing it aborts whatever
	// the client is waiting for.
	tcp      net.Conn
	lastUsed time.Time
}

// dial opens and sets up a new session. It gives up when ctx is done.
func (s settings) dial(ctx context.Context) (*conn, error) {
	d := net.Dialer{Timeout: s.timeout}
	tcp, err := d.DialContext(ctx, "tcp", s.Addr())
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("connect: %w (%w)", context.Cause(ctx), err)
		}
		return nil, fmt.Errorf("connect: %w", err)
	}
	stop := context.AfterFunc(ctx, func() { tcp.Close() })
	defer stop()
	c, err := s.setUp(&deadlineConn{Conn: tcp, timeout: s.timeout})
	if err != nil {
		tcp.Close()
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%w (%w)", context.Cause(ctx), err)
		}
		return nil, err
	}
	return &conn{c: c, tcp: tcp}, nil
}

// setUp greets the relay, applies the TLS policy and authenticates.
func (s settings) setUp(nc net.Conn) (*gomailsmtp.Client, error) {
	cfg := &tls.Config{ServerName: s.Host, RootCAs: s.rootCAs, MinVersion: tls.VersionTLS12}
	if s.tls == TLSOpportunistic {
		// RFC 7435: encrypt what can be encrypted. Checking the
		// certificate would make a self-signed local relay fail, and the
		// policy promises only protection from passive listening.
		cfg.InsecureSkipVerify = true
	}
	if s.ImplicitTLS {
		tc := tls.Client(nc, cfg)
		if err := tc.Handshake(); err != nil {
			return nil, fmt.Errorf("TLS handshake: %w", err)
		}
		nc = tc
	}
	c, err := gomailsmtp.NewClient(nc, s.Host)
	if err != nil {
		return nil, fmt.Errorf("greeting: %w", err)
	}
	if err := s.negotiate(c, cfg); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

func (s settings) negotiate(c *gomailsmtp.Client, cfg *tls.Config) error {
	if err := c.Hello(s.helo); err != nil {
		return fmt.Errorf("EHLO: %w", err)
	}
	if !s.ImplicitTLS && s.tls != TLSNone {
		offered, _ := c.Extension("STARTTLS")
		switch {
		case offered:
			if err := c.StartTLS(cfg); err != nil {
				return fmt.Errorf("STARTTLS: %w", err)
			}
		case s.tls == TLSRequire:
			return fmt.Errorf("the relay does not offer STARTTLS and tls is %q; use smtps:// if it speaks TLS on connect, or tls %q only for a trusted local relay",
				TLSRequire, TLSOpportunistic)
		}
	}
	if s.Username == "" {
		return nil
	}
	offered, mechs := c.Extension("AUTH")
	if !offered {
		return errors.New("the URL has credentials but the relay offers no AUTH (some relays offer it only over TLS)")
	}
	// go-mail's mechanisms refuse to send the password in clear, except
	// to a loopback host, where it crosses no network.
	clearOK := IsLoopback(s.Host)
	var auth gomailsmtp.Auth
	switch mechList := strings.Fields(strings.ToUpper(mechs)); {
	case slices.Contains(mechList, "PLAIN"):
		auth = gomailsmtp.PlainAuth("", s.Username, s.Password, s.Host, clearOK)
	case slices.Contains(mechList, "LOGIN"):
		auth = gomailsmtp.LoginAuth(s.Username, s.Password, s.Host, clearOK)
	default:
		return fmt.Errorf("the relay offers AUTH %s; otpd speaks PLAIN and LOGIN", mechs)
	}
	if err := c.Auth(auth); err != nil {
		return fmt.Errorf("AUTH as %s: %w", s.Username, err)
	}
	return nil
}

// send runs one mail transaction. When ctx ends first, the connection is
// closed to stop it, and the error says so.
func (c *conn) send(ctx context.Context, from, to string, raw []byte) (err error) {
	stop := context.AfterFunc(ctx, func() { c.tcp.Close() })
	defer func() {
		if !stop() && err != nil {
			err = fmt.Errorf("%w (%w)", context.Cause(ctx), err)
		}
	}()
	if err := c.c.Mail("<" + from + ">"); err != nil {
		return fmt.Errorf("MAIL FROM: %w", err)
	}
	if err := c.c.Rcpt("<" + to + ">"); err != nil {
		return fmt.Errorf("RCPT TO: %w", err)
	}
	w, err := c.c.Data()
	if err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	if _, err := w.Write(raw); err != nil {
		return fmt.Errorf("DATA: write message: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("end of DATA: %w", err)
	}
	return nil
}

// probe checks with NOOP that a kept connection still answers.
func (c *conn) probe(ctx context.Context) error {
	stop := context.AfterFunc(ctx, func() { c.tcp.Close() })
	defer stop()
	return c.c.Noop()
}

// quit ends the session politely; the connection is closed either way.
func (c *conn) quit() error {
	if err := c.c.Quit(); err != nil {
		c.tcp.Close()
		return err
	}
	return nil
}

// close drops the connection without a word, for one in an unknown state.
func (c *conn) close() { c.tcp.Close() }

// deadlineConn bounds every read and write by timeout, so that a relay
// that stops answering in the middle of a command or a message cannot
// hold a Send and its connection forever: go-mail's client sets no
// deadlines itself.
type deadlineConn struct {
	net.Conn
	timeout time.Duration
}

func (c *deadlineConn) Read(p []byte) (int, error) {
	// A failure to set the deadline means the connection is closed,
	// which the Read itself then reports.
	_ = c.Conn.SetReadDeadline(time.Now().Add(c.timeout))
	return c.Conn.Read(p)
}

func (c *deadlineConn) Write(p []byte) (int, error) {
	_ = c.Conn.SetWriteDeadline(time.Now().Add(c.timeout))
	return c.Conn.Write(p)
}
