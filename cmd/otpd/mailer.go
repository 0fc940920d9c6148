package main

import (
	"crypto"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/config"
	"github.com/otpd/otpd/dkim"
	"github.com/otpd/otpd/mail"
	"github.com/otpd/otpd/passcode"
	"github.com/otpd/otpd/pickup"
	"github.com/otpd/otpd/smtp"
)

// outgoing is where mail goes: a real Mailer, or the dev mailbox.
type outgoing struct {
	mailer  otpd.Mailer
	mailbox *mail.DevMailbox // set when mail is not really sent
	close   func() error
}

// newOutgoing picks the Mailer the configuration asks for: SMTP when a
// relay is set, a pickup directory when one is set, and otherwise the dev
// mailbox, kept in the store sealed by book, so that every node sharing
// the store shows every node's mail. Every message is DKIM-signed, in
// development too, so that the path a real message takes is the one that
// is tried.
func newOutgoing(cfg config.Config, log *slog.Logger, store otpd.DevMailStore, book *passcode.Book) (outgoing, error) {
	signer, err := loadSigner(cfg, log)
	if err != nil {
		return outgoing{}, err
	}
	sign := func(raw []byte) ([]byte, error) { return signer.Sign(raw) }
	switch {
	case cfg.SMTP.URL != "":
		m, err := smtp.New(smtp.Config{URL: cfg.SMTP.URL, TLS: cfg.SMTP.TLS, Timeout: time.Duration(cfg.SMTP.Timeout), Sign: sign})
		if err != nil {
			return outgoing{}, fmt.Errorf("smtp.url: %w", err)
		}
		log.Info("mail goes out through SMTP", "host", m.Host())
		return outgoing{mailer: m, close: m.Close}, nil
	case cfg.Mail.PickupDir != "":
		log.Info("mail is written to the pickup directory for a local MTA", "dir", cfg.Mail.PickupDir)
		return outgoing{mailer: &pickup.Mailer{Dir: cfg.Mail.PickupDir, Sign: sign}, close: noClose}, nil
	default:
		box := &mail.DevMailbox{
			Render: func(e otpd.Email) ([]byte, error) {
				raw, err := mail.Render(e)
				if err != nil {
					return nil, err
				}
				return signer.Sign(raw)
			},
			Store: store, Seal: book.Seal, Open: book.Open,
		}
		return outgoing{mailer: box, mailbox: box, close: noClose}, nil
	}
}

func noClose() error { return nil }

// loadSigner reads the DKIM keys. The default RSA key is made on first
// start, so that a newcomer's mail is signed from the first message; a key
// file named in the configuration must exist.
func loadSigner(cfg config.Config, log *slog.Logger) (*dkim.Signer, error) {
	path := cfg.DKIMKeyPath()
	key, err := dkim.LoadKey(path)
	if errors.Is(err, fs.ErrNotExist) && cfg.DKIM.KeyFile == "" {
		key, err = createRSAKey(path)
		if err == nil {
			log.Info("created a DKIM key; keep it with the database", "file", path)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("dkim.key_file: %w", err)
	}
	s := &dkim.Signer{Domain: cfg.DKIMDomain(), Selector: cfg.DKIM.Selector, RSA: key}
	if cfg.DKIM.Ed25519KeyFile != "" {
		if s.Ed25519, err = dkim.LoadKey(cfg.DKIM.Ed25519KeyFile); err != nil {
			return nil, fmt.Errorf("dkim.ed25519_key_file: %w", err)
		}
	}
	// The records matter only to mail that leaves: the dev mailbox's
	// signatures are never checked by a receiver, so a development start
	// does not repeat them ("otpd dns" prints them at any time).
	if cfg.SMTP.URL == "" && cfg.Mail.PickupDir == "" {
		return s, nil
	}
	if err := logRecord(log, s.Selector, s.Domain, s.RSA.Public()); err != nil {
		return nil, err
	}
	if s.Ed25519 != nil {
		if err := logRecord(log, s.EdSelector(), s.Domain, s.Ed25519.Public()); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func createRSAKey(path string) (crypto.Signer, error) {
	key, err := dkim.GenerateRSA()
	if err != nil {
		return nil, err
	}
	if err := dkim.WriteKey(path, key); err != nil {
		return nil, err
	}
	return key, nil
}

func logRecord(log *slog.Logger, selector, domain string, pub crypto.PublicKey) error {
	name, value, err := dkim.TXTRecord(selector, domain, pub)
	if err != nil {
		return err
	}
	log.Info("DKIM: publish this DNS TXT record so receivers can check our mail", "name", name, "value", value)
	return nil
}
