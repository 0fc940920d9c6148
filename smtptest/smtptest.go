// Package smtptest runs an in-process SMTP server that records what it
// receives, for tests of code that sends mail. It listens on loopback
// only, can offer STARTTLS or implicit TLS with a throwaway certificate and
// require AUTH, and can be told to refuse the next message, to go down and
// to come back on the same address, so a client's handling of each case
// can be shown over real TCP.
package smtptest

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"log"
	"net"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Message is one message the server accepted.
type Message struct {
	// From and To are the envelope (MAIL FROM and RCPT TO).
	From string
	To   []string
	// Data is the message as received, CRLF line endings included.
	Data []byte
	// TLS tells whether the message came over an encrypted connection.
	TLS bool
	// User is who authenticated on the connection, or "" for nobody.
	User string
}

// Option configures a Server at Start.
type Option func(*Server)

// WithTLS makes the server offer STARTTLS with a self-signed certificate
// for 127.0.0.1, ::1 and localhost; RootCAs returns a pool that trusts it.
func WithTLS() Option { return func(s *Server) { s.tlsMode = tlsStart } }

// WithImplicitTLS makes the server speak TLS from the first byte, as on
// port 465, with the same certificate as WithTLS.
func WithImplicitTLS() Option { return func(s *Server) { s.tlsMode = tlsImplicit } }

// WithAuth requires AUTH (PLAIN or LOGIN) with user and pass before MAIL.
// Wrong credentials get 535. Without TLS the server allows AUTH in clear,
// as a loopback relay may.
func WithAuth(user, pass string) Option {
	return func(s *Server) { s.user, s.pass = user, pass }
}

// WithAuthMechanisms limits the AUTH mechanisms offered (default PLAIN
// and LOGIN), to show a client's fallback.
func WithAuthMechanisms(mechs ...string) Option {
	return func(s *Server) { s.mechs = mechs }
}

type tlsMode int

const (
	tlsNone tlsMode = iota
	tlsStart
	tlsImplicit
)

// Server is a recording SMTP server. Its methods are safe for concurrent
// use.
type Server struct {
	t          testing.TB
	tlsMode    tlsMode
	user, pass string
	mechs      []string
	tlsConfig  *tls.Config
	roots      *x509.CertPool
	addr       string

	mu       sync.Mutex
	srv      *smtp.Server // nil while stopped
	ln       net.Listener // srv's listener
	msgs     []Message
	changed  chan struct{} // closed and replaced when msgs grows
	failNext *smtp.SMTPError
	accepted int
	open     int
}

// Start starts a server on 127.0.0.1 with a free port. It is stopped when
// the test ends.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := &Server{t: t, changed: make(chan struct{}), mechs: []string{sasl.Plain, sasl.Login}}
	for _, o := range opts {
		o(s)
	}
	if s.tlsMode != tlsNone {
		s.tlsConfig, s.roots = selfSigned(t)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("smtptest: listen: %v", err)
	}
	s.addr = l.Addr().String()
	s.serve(l)
	t.Cleanup(s.Stop)
	return s
}

// Addr is the host:port the server listens on, the same across Restart.
func (s *Server) Addr() string { return s.addr }

// RootCAs returns a pool trusting the server's certificate, or nil when
// the server has no TLS.
func (s *Server) RootCAs() *x509.CertPool { return s.roots }

// Messages returns the messages accepted so far, oldest first.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.msgs)
}

// WaitMessages waits until at least n messages have arrived or timeout
// passes, and returns the messages there are then. The caller checks how
// many it got.
func (s *Server) WaitMessages(n int, timeout time.Duration) []Message {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		msgs, changed := slices.Clone(s.msgs), s.changed
		s.mu.Unlock()
		if len(msgs) >= n {
			return msgs
		}
		select {
		case <-changed:
		case <-deadline.C:
			return msgs
		}
	}
}

// FailNext makes the server answer the next message's end of DATA with
// code (a 4xx or 5xx) and msg, and not record that message.
func (s *Server) FailNext(code int, msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failNext = &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCode{code / 100, 0, 0}, Message: msg}
}

// Connections is how many TCP connections the server has accepted, across
// restarts: a client that reuses its connection keeps it at one.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.accepted
}

// Open is how many accepted connections are still open.
func (s *Server) Open() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.open
}

// Stop closes the listener and every connection, as a server that goes
// down would. Connecting fails until Restart. Stop on a stopped server
// does nothing.
func (s *Server) Stop() {
	s.mu.Lock()
	srv, ln := s.srv, s.ln
	s.srv, s.ln = nil, nil
	s.mu.Unlock()
	if srv != nil {
		// srv knows its listener only once Serve has begun, which may
		// not be yet: close the listener here too, or it would outlive
		// Stop.
		_ = ln.Close()
		_ = srv.Close()
	}
}

// Restart listens again on the same address after Stop, keeping the
// recorded messages and counts.
func (s *Server) Restart() {
	s.t.Helper()
	s.mu.Lock()
	running := s.srv != nil
	s.mu.Unlock()
	if running {
		s.t.Fatal("smtptest: Restart while running; Stop first")
	}
	l, err := net.Listen("tcp", s.addr)
	if err != nil {
		s.t.Fatalf("smtptest: listen again on %s: %v", s.addr, err)
	}
	s.serve(l)
}

// serve runs a fresh go-smtp server on l; a go-smtp Server cannot be
// started again once closed.
func (s *Server) serve(l net.Listener) {
	srv := smtp.NewServer(smtp.BackendFunc(s.newSession))
	srv.Domain = "smtptest.localhost"
	srv.ReadTimeout = 30 * time.Second
	srv.WriteTimeout = 30 * time.Second
	// Logging to t after the test ended would panic; errors show up in
	// what the client sees instead.
	srv.ErrorLog = log.New(io.Discard, "", 0)
	l = &countingListener{Listener: l, s: s}
	switch s.tlsMode {
	case tlsStart:
		srv.TLSConfig = s.tlsConfig
	case tlsImplicit:
		l = tls.NewListener(l, s.tlsConfig)
	default:
		srv.AllowInsecureAuth = true
	}
	s.mu.Lock()
	s.srv, s.ln = srv, l
	s.mu.Unlock()
	go func() { _ = srv.Serve(l) }()
}

func (s *Server) record(m Message) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f := s.failNext; f != nil {
		s.failNext = nil
		return f
	}
	s.msgs = append(s.msgs, m)
	close(s.changed)
	s.changed = make(chan struct{})
	return nil
}

// countingListener counts accepted and still-open connections.
type countingListener struct {
	net.Listener
	s *Server
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	l.s.mu.Lock()
	l.s.accepted++
	l.s.open++
	l.s.mu.Unlock()
	return &countedConn{Conn: c, s: l.s}, nil
}

type countedConn struct {
	net.Conn
	s    *Server
	once sync.Once
}

func (c *countedConn) Close() error {
	c.once.Do(func() {
		c.s.mu.Lock()
		c.s.open--
		c.s.mu.Unlock()
	})
	return c.Conn.Close()
}
