// Package msgcheck tells whether a message someone holds is one otpd
// sent, as it sent it: its DKIM signatures against otpd's own keys (no
// DNS), the alignment of From with the signing domain, its reference and
// Message-ID against otpd's record, the destinations of its links, and
// its code against the request's. It parses what it is given within
// Limits and refuses the rest with an error naming the field "message".
//
// It imports no store: a Checker takes the records it reads through
// Records, which an otpd.Store satisfies.
package msgcheck

import (
	"context"
	"crypto/hmac"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/otpd/otpd"
)

// Records are what a check reads of otpd's own: the messages it sent, by
// reference, and the challenge a message was about, whose code MAC it
// keeps.
type Records interface {
	MessagesByRef(ctx context.Context, ref string) ([]otpd.SentMessage, error)
	Challenge(ctx context.Context, id string) (otpd.Challenge, error)
}

// Checker checks messages. Set its fields before the first Check and do
// not change them after; Check is then safe for concurrent use.
type Checker struct {
	// Keys are otpd's DKIM public keys, current and previous.
	Keys []Key
	// Origin is the public URL every link of a genuine message leads to.
	Origin *url.URL
	// Ref makes the reference of a Message-ID (otpd.Codes.MessageRef).
	Ref func(messageID string) string
	// MAC binds a code to its challenge (otpd.Codes.MAC).
	MAC     func(challengeID, code string) []byte
	Records Records
	Limits  Limits
}

// Check reads a raw RFC 5322 message from r and judges it. An error that
// is an *otpd.Error (field "message") refuses the message; any other is
// the records' failure.
func (c *Checker) Check(ctx context.Context, r io.Reader) (Report, error) {
	l := c.Limits.orDefault()
	raw, err := readRaw(r, l)
	if err != nil {
		return Report{}, err
	}
	p, err := parse(raw, l)
	if err != nil {
		return Report{}, err
	}
	rep := Report{Signatures: verify(raw, records(c.Keys), l.Signatures), Received: received(p.header)}
	rep.FromDomain, rep.Aligned = aligned(p.header, rep.Signatures)
	rep.Links = links(p.texts, p.htmls, c.Origin)
	rep.LinkHosts = awayHosts(rep.Links)
	if err := c.match(ctx, p, &rep); err != nil {
		return Report{}, err
	}
	c.judge(p, &rep)
	if rep.Verdict == Genuine {
		if err := c.checkCode(ctx, p, &rep); err != nil {
			return Report{}, err
		}
	} else if rep.Sent != nil && rep.Sent.Kind == otpd.MessageCode {
		rep.Code = CodeNotChecked
	}
	return rep, nil
}

// LookupRef finds the message otpd sent with a reference someone typed;
// nil when there is none. It does not say which of several messages with
// one reference is meant (40 bits seldom collide): it takes the newest.
func (c *Checker) LookupRef(ctx context.Context, ref string) (*otpd.SentMessage, error) {
	ref, err := otpd.ParseMessageRef(ref)
	if err != nil {
		return nil, err
	}
	msgs, err := c.Records.MessagesByRef(ctx, ref)
	if err != nil {
		return nil, fmt.Errorf("msgcheck: look up reference: %w", err)
	}
	for _, m := range msgs {
		// A record whose reference is not the MAC of its Message-ID was
		// not written by this server's secret.
		if hmac.Equal([]byte(c.Ref(m.MessageID)), []byte(m.Ref)) {
			return &m, nil
		}
	}
	return nil, nil
}

// match reads the reference and Message-ID, checks that one is the MAC
// of the other, and finds otpd's record of them.
func (c *Checker) match(ctx context.Context, p *parsed, rep *Report) error {
	rep.MessageID = strings.TrimSpace(p.header.Get("Message-Id"))
	rep.Ref = messageRef(p)
	if rep.Ref == "" || rep.MessageID == "" {
		return nil
	}
	rep.RefValid = hmac.Equal([]byte(c.Ref(rep.MessageID)), []byte(rep.Ref))
	if !rep.RefValid {
		return nil
	}
	msgs, err := c.Records.MessagesByRef(ctx, rep.Ref)
	if err != nil {
		return fmt.Errorf("msgcheck: look up reference: %w", err)
	}
	for _, m := range msgs {
		if m.MessageID == rep.MessageID {
			rep.Sent = &m
			return nil
		}
	}
	return nil
}

var refInText = regexp.MustCompile(`\bRef ([0-9A-Z]{4}-[0-9A-Z]{4})\b`)

// messageRef is the reference the message carries: its header's, or
// when it has none, the one its text states. Two different references
// (two headers, or a header and a text that disagree) are none.
func messageRef(p *parsed) string {
	var found []string
	for _, v := range p.header[otpd.RefHeader] {
		found = append(found, strings.TrimSpace(v))
	}
	for _, t := range p.texts {
		for _, m := range refInText.FindAllStringSubmatch(t, -1) {
			found = append(found, m[1])
		}
	}
	slices.Sort(found)
	found = slices.Compact(found)
	if len(found) != 1 {
		return ""
	}
	ref, err := otpd.ParseMessageRef(found[0])
	if err != nil {
		return ""
	}
	return ref
}

// aligned reads the one From domain and says whether a valid signature
// of ours signs for it (relaxed alignment: the From domain or a
// subdomain of the signing domain).
func aligned(h mail.Header, sigs []Signature) (string, bool) {
	froms := h["From"]
	if len(froms) != 1 {
		return "", false
	}
	addrs, err := mail.ParseAddressList(froms[0])
	if err != nil || len(addrs) != 1 {
		return "", false
	}
	_, domain, ok := strings.Cut(addrs[0].Address, "@")
	if !ok {
		return "", false
	}
	domain = strings.ToLower(domain)
	for _, s := range sigs {
		if s.Result != SigNotOurs && s.Result != SigMalformed && (domain == s.Domain || strings.HasSuffix(domain, "."+s.Domain)) {
			return domain, true
		}
	}
	return domain, false
}

// maxReceived bounds the Received hosts kept.
const maxReceived = 10

var receivedFrom = regexp.MustCompile(`(?i)\bfrom\s+([A-Za-z0-9.\-\[\]:]+)`)

// received names the hosts of the Received headers, newest first.
func received(h mail.Header) []string {
	var out []string
	for _, v := range h["Received"] {
		if len(out) == maxReceived {
			break
		}
		if m := receivedFrom.FindStringSubmatch(v); m != nil {
			out = append(out, strings.ToLower(m[1]))
		}
	}
	return out
}

// readerHeaders are the fields a reader relies on: one added after
// signing, unsigned, changes what the message says (a Reply-To sends the
// answer elsewhere) while every signature still holds.
var readerHeaders = []string{"From", "Sender", "Reply-To", "To", "Cc", "Subject", "Date", "Message-Id",
	otpd.RefHeader, "Content-Type", "List-Unsubscribe"}

// judge decides the verdict from what was found.
func (c *Checker) judge(p *parsed, rep *Report) {
	var valid, ours bool
	var signed []string
	for _, s := range rep.Signatures {
		ours = ours || (s.Result != SigNotOurs && s.Result != SigMalformed)
		if s.Result == SigValid {
			valid = true
			signed = append(signed, s.headers...)
		}
	}
	// A signature of ours that holds proves the message; so does a
	// reference that is the MAC of the Message-ID, which only otpd can
	// make, beside a signature of ours that no longer holds. A message
	// whose record retention has since pruned is still ours.
	if ours && (valid || rep.RefValid) {
		rep.Verdict = Genuine
		rep.Changes = changes(p, rep, valid, signed)
		if len(rep.Changes) > 0 {
			rep.Verdict = Altered
		}
		return
	}
	rep.Verdict = NotFromUs
	rep.Reasons = reasons(rep, valid, ours)
}

// changes says how a message otpd sent differs from what it sent.
func changes(p *parsed, rep *Report, valid bool, signed []string) []Change {
	var out []Change
	for _, s := range rep.Signatures {
		switch s.Result {
		case SigBodyChanged:
			out = appendOnce(out, ChangeBody)
		case SigFailed:
			out = appendOnce(out, ChangeHeader)
		}
	}
	if valid && addedHeaders(p.header, signed) {
		out = appendOnce(out, ChangeAddedHeader)
	}
	if !rep.Aligned {
		out = appendOnce(out, ChangeHeader)
	}
	if len(rep.LinkHosts) > 0 {
		out = appendOnce(out, ChangeLinks)
	}
	return out
}

// reasons say why a message is not judged to be from otpd.
func reasons(rep *Report, valid, ours bool) []Reason {
	var out []Reason
	switch {
	case len(rep.Signatures) == 0:
		out = append(out, ReasonNoSignature)
	case !ours:
		out = append(out, ReasonOtherKey)
	case !valid:
		out = append(out, ReasonBadSignature)
	}
	if ours && !rep.Aligned {
		out = append(out, ReasonMisaligned)
	}
	switch {
	case rep.Ref == "" || rep.MessageID == "":
		out = append(out, ReasonNoReference)
	case !rep.RefValid:
		out = append(out, ReasonUnknownRef)
	}
	if len(rep.LinkHosts) > 0 {
		out = append(out, ReasonLinksAway)
	}
	return out
}

// addedHeaders reports whether a reader's header appears more often than
// any signature covers it.
func addedHeaders(h mail.Header, signed []string) bool {
	for _, name := range readerHeaders {
		n := len(h[name])
		if n == 0 {
			continue
		}
		covered := 0
		for _, s := range signed {
			if strings.EqualFold(s, name) {
				covered++
			}
		}
		if n > covered {
			return true
		}
	}
	return false
}

func appendOnce[T comparable](s []T, v T) []T {
	if slices.Contains(s, v) {
		return s
	}
	return append(s, v)
}

// checkCode compares the code in a genuine message with the MAC otpd
// keeps for its challenge. It runs only on a message whose signature
// holds, whose code is therefore the one otpd wrote: comparing the code
// of an altered message would let anyone holding a real reference try
// codes of their own against the store, an oracle that skips the
// attempt counter. The answer never says whether the code still works.
func (c *Checker) checkCode(ctx context.Context, p *parsed, rep *Report) error {
	if rep.Sent == nil || rep.Sent.Kind != otpd.MessageCode || rep.Sent.ChallengeID == "" {
		return nil
	}
	code := codeIn(p.texts)
	if code == "" {
		return nil
	}
	ch, err := c.Records.Challenge(ctx, rep.Sent.ChallengeID)
	if errors.Is(err, otpd.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("msgcheck: challenge of %s: %w", rep.Ref, err)
	}
	rep.Code = CodeDiffers
	if hmac.Equal(c.MAC(ch.ID, code), ch.CodeMAC) {
		rep.Code = CodeMatches
	}
	if rep.Code == CodeDiffers {
		rep.Verdict, rep.Changes = Altered, appendOnce(rep.Changes, ChangeBody)
	}
	return nil
}

var codeLine = regexp.MustCompile(`(?m)^\s*(\d{3}(?: \d{3,4}){1,2}|\d{3} \d{3,4})\s*$`)

// codeIn finds the code a code message sets on a line of its own.
func codeIn(texts []string) string {
	for _, t := range texts {
		if m := codeLine.FindStringSubmatch(t); m != nil {
			return strings.ReplaceAll(m[1], " ", "")
		}
	}
	return ""
}
