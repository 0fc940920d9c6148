package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
)

// sink is an SMTP server that takes the server's mail and hands each
// message's code to the flow waiting for it, by recipient. It checks that
// each message is DKIM-signed: with it, the measured path is the one a
// real message takes (compose, sign, SMTP).
type sink struct {
	srv *smtp.Server
	rec *recorder

	mu      sync.Mutex
	waiting map[string]chan string // by lower-case address
}

// startSink listens on addr (loopback) and serves until stop.
func startSink(addr string, rec *recorder) (*sink, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--smtp-sink: %w", err)
	}
	s := &sink{rec: rec, waiting: map[string]chan string{}}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &sinkSession{s: s}, nil }))
	s.srv.Domain = "otpd-load.localhost"
	s.srv.ReadTimeout, s.srv.WriteTimeout = time.Minute, time.Minute
	s.srv.MaxMessageBytes = 1 << 20
	s.srv.ErrorLog = log.New(io.Discard, "", 0)
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

func (s *sink) stop() error { return s.srv.Close() }

func (s *sink) expect(_ context.Context, a *account) (func(ctx context.Context) (string, error), error) {
	key := strings.ToLower(a.email)
	ch := make(chan string, 1)
	s.mu.Lock()
	s.waiting[key] = ch
	s.mu.Unlock()
	return func(ctx context.Context) (string, error) {
		defer func() {
			s.mu.Lock()
			delete(s.waiting, key)
			s.mu.Unlock()
		}()
		select {
		case code := <-ch:
			if code == "" {
				return "", errNoCode
			}
			return code, nil
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}, nil
}

// deliver hands a code ("" for a message without one) to whoever waits
// for to; a message nobody waits for (a flow that gave up) is dropped.
func (s *sink) deliver(to, code string) {
	s.mu.Lock()
	ch := s.waiting[strings.ToLower(to)]
	s.mu.Unlock()
	if ch != nil {
		select {
		case ch <- code:
		default:
		}
	}
}

// sinkSession is one SMTP connection; go-smtp calls it from one goroutine.
type sinkSession struct {
	s  *sink
	to []string
}

func (ss *sinkSession) Mail(string, *smtp.MailOptions) error { return nil }

func (ss *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.to = append(ss.to, to)
	return nil
}

func (ss *sinkSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	ss.s.rec.message()
	code, err := messageCode(raw)
	if err != nil {
		ss.s.rec.fail("read: " + err.Error())
	}
	for _, to := range ss.to {
		ss.s.deliver(to, code)
	}
	return nil
}

func (ss *sinkSession) Reset()        { ss.to = nil }
func (ss *sinkSession) Logout() error { return nil }

var errUnsigned = errors.New("message not DKIM-signed")

// messageCode reads the code from a signed multipart/alternative code
// email's text part.
func messageCode(raw []byte) (string, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return "", errors.New("message does not parse")
	}
	if msg.Header.Get("DKIM-Signature") == "" {
		return "", errUnsigned
	}
	_, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		return "", errors.New("message has no Content-Type")
	}
	parts := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := parts.NextPart() // undoes quoted-printable
		if err != nil {
			return "", errNoCode
		}
		if !strings.HasPrefix(p.Header.Get("Content-Type"), "text/plain") {
			continue
		}
		text, err := io.ReadAll(p)
		if err != nil {
			return "", errNoCode
		}
		if code, ok := extractCode(string(text)); ok {
			return code, nil
		}
		return "", errNoCode
	}
}
