package dkim

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"errors"
	"fmt"
	"slices"
	"strings"

	gomail "github.com/wneessen/go-mail"
)

// signedHeaders are the fields a signature covers: everything a reader
// relies on to judge a code email. Content-Type is in because changing it
// can change what the body shows.
var signedHeaders = []string{"From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type"}

// RefHeader is the header of a message's reference (otpd.RefHeader, named
// here because dkim imports nothing of otpd). The check of a message reads
// it, so a message that has one gets it signed; one without it does not
// name it. It is not oversigned: go-mail v0.8.1 folds a tag longer than
// its line inside the tag's value, and signs the value unfolded, so a
// longer h= makes signatures that do not verify; the one header more
// fits, an oversigned one would not. The check refuses a message with two
// references instead.
const RefHeader = "Otpd-Ref"

// Signer adds DKIM signatures to messages of one signing domain.
//
// Set the fields before the first Sign and do not change them after; Sign
// is then safe for concurrent use.
type Signer struct {
	// Domain is the signing domain (d=). Receivers check that it aligns
	// with the From domain (DMARC), so it is usually the From domain.
	Domain string
	// Selector (s=) names the key under Domain: Selector._domainkey.Domain.
	Selector string
	// RSA signs every message (rsa-sha256): every receiver verifies it.
	RSA crypto.Signer
	// Ed25519, when set, adds an ed25519-sha256 signature (RFC 8463) for
	// the receivers that verify it. It needs its own selector's record
	// (a domain can't publish two key types under one name), so it is
	// published under Ed25519Selector.
	Ed25519 crypto.Signer
	// Ed25519Selector is the selector of the Ed25519 key; empty means
	// Selector + "-ed25519".
	Ed25519Selector string
}

// EdSelector is the selector the Ed25519 signature names.
func (s *Signer) EdSelector() string {
	if s.Ed25519Selector != "" {
		return s.Ed25519Selector
	}
	return s.Selector + "-ed25519"
}

// Sign returns raw (a complete message with CRLF line endings) with
// DKIM-Signature headers prepended: RSA always, Ed25519 too when set.
// Both use relaxed/relaxed canonicalization, which survives the
// re-folding and whitespace changes relays make, and both oversign From so
// that a second From added in transit breaks the signatures. The
// signatures carry no expiry (x=): otpd's inspect verifies a code email
// when its owner asks, possibly long after it arrived.
//
// Signing uses go-mail's DKIM signer; tests verify with go-msgauth, a
// separate implementation, so a mistake one library shares with itself
// cannot pass.
func (s *Signer) Sign(raw []byte) ([]byte, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	i := bytes.Index(raw, []byte("\r\n\r\n"))
	if i < 0 {
		return nil, errors.New("dkim: sign: message has no blank line between header and body (want CRLF line endings)")
	}
	// The header block keeps its final CRLF; the body starts after the
	// blank line, as go-mail's own writer splits a message.
	header, body := raw[:i+2], raw[i+4:]

	headers, over := signedHeaders, []string{"From"}
	if hasHeader(header, RefHeader) {
		headers = append(slices.Clip(headers), RefHeader)
	}
	rsaSig, err := s.sign(s.Selector, s.RSA, header, body, headers, over)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(raw)+1024)
	out = append(out, rsaSig...)
	if s.Ed25519 != nil {
		edSig, err := s.sign(s.EdSelector(), s.Ed25519, header, body, headers, over)
		if err != nil {
			return nil, err
		}
		out = append(out, edSig...)
	}
	return append(out, raw...), nil
}

// sign makes one DKIM-Signature header line (CRLF-terminated). go-mail's
// signer records its algorithm on first use, so a fresh one per call keeps
// Sign safe for concurrent use.
func (s *Signer) sign(selector string, key crypto.Signer, header, body []byte, headers, over []string) (string, error) {
	g := gomail.NewDKIMSigner(s.Domain, selector, key)
	g.HeaderCanonicalization(gomail.CanonicalizationRelaxed)
	g.BodyCanonicalization(gomail.CanonicalizationRelaxed)
	g.SignHeaders(headers...)
	g.OversignHeaders(over...)
	sig, err := g.Sign(header, body)
	if err != nil {
		return "", fmt.Errorf("dkim: sign as %s._domainkey.%s: %w", selector, s.Domain, err)
	}
	return sig, nil
}

// hasHeader reports whether the header block holds a field named name.
func hasHeader(header []byte, name string) bool {
	for line := range bytes.SplitSeq(header, []byte("\r\n")) {
		k, _, ok := bytes.Cut(line, []byte(":"))
		if ok && len(line) > 0 && line[0] != ' ' && line[0] != '\t' && strings.EqualFold(strings.TrimSpace(string(k)), name) {
			return true
		}
	}
	return false
}

// check refuses a Signer that would produce signatures no receiver can
// verify, before any message goes out with them.
func (s *Signer) check() error {
	switch {
	case s.Domain == "":
		return errors.New("dkim: signer has no Domain")
	case s.Selector == "":
		return errors.New("dkim: signer has no Selector")
	case s.RSA == nil:
		return errors.New("dkim: signer has no RSA key")
	}
	// go-mail signs only with the concrete key types; a crypto.Signer
	// backed by an HSM would be refused there less clearly.
	if _, ok := s.RSA.(*rsa.PrivateKey); !ok {
		return fmt.Errorf("dkim: RSA key is a %T, want *rsa.PrivateKey", s.RSA)
	}
	if s.Ed25519 != nil {
		if _, ok := s.Ed25519.(ed25519.PrivateKey); !ok {
			return fmt.Errorf("dkim: Ed25519 key is a %T, want ed25519.PrivateKey", s.Ed25519)
		}
	}
	return nil
}
