package msgcheck

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"unicode/utf8"

	"github.com/otpd/otpd"
)

// Limits bound the work a message may cost. Every message otpd sends is a
// few kilobytes of multipart/alternative with two parts, so the defaults
// leave room for what mail systems add on the way (a banner, a forward)
// and refuse the rest before it costs anything.
type Limits struct {
	// Size is the most bytes of a raw message read.
	Size int64
	// Depth is the deepest nesting of multipart bodies.
	Depth int
	// Parts is the most MIME parts, at every depth together.
	Parts int
	// Decoded is the most bytes of all text parts together, decoded.
	Decoded int64
	// Signatures is the most DKIM signatures verified: each costs a
	// public-key operation.
	Signatures int
}

// DefaultLimits are the limits a zero Limits means.
var DefaultLimits = Limits{Size: 512 << 10, Depth: 4, Parts: 32, Decoded: 256 << 10, Signatures: 5}

func (l Limits) orDefault() Limits {
	d := DefaultLimits
	if l.Size > 0 {
		d.Size = l.Size
	}
	if l.Depth > 0 {
		d.Depth = l.Depth
	}
	if l.Parts > 0 {
		d.Parts = l.Parts
	}
	if l.Decoded > 0 {
		d.Decoded = l.Decoded
	}
	if l.Signatures > 0 {
		d.Signatures = l.Signatures
	}
	return d
}

// refused is the one error a message that cannot be checked gets: it
// names the field "message" and says why, never quoting the message.
func refused(format string, args ...any) error {
	return &otpd.Error{Code: otpd.EInvalid, Field: "message", Message: fmt.Sprintf(format, args...)}
}

// parsed is what the check reads from a message.
type parsed struct {
	raw    []byte
	header mail.Header
	// texts and htmls are the decoded text/plain and text/html parts.
	texts, htmls []string
}

// readRaw reads at most l.Size bytes of r, refusing more, and normalises
// bare LF line ends to CRLF: a message saved by a mail client or pasted
// into a form often has LF only, which DKIM's relaxed canonicalisation
// does not forgive.
func readRaw(r io.Reader, l Limits) ([]byte, error) {
	raw, err := io.ReadAll(io.LimitReader(r, l.Size+1))
	if err != nil {
		return nil, fmt.Errorf("msgcheck: read message: %w", err)
	}
	if int64(len(raw)) > l.Size {
		return nil, refused("the message is larger than %d KiB; a message from us is a few KiB", l.Size>>10)
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, refused("the message is empty")
	}
	if bytes.IndexByte(raw, 0) >= 0 {
		return nil, refused("the message holds NUL bytes; it is not an email")
	}
	if !bytes.Contains(raw, []byte("\r\n")) {
		raw = bytes.ReplaceAll(raw, []byte("\n"), []byte("\r\n"))
	}
	return raw, nil
}

// parse reads the header and the text parts of raw within l.
func parse(raw []byte, l Limits) (*parsed, error) {
	m, err := mail.ReadMessage(bufio.NewReader(bytes.NewReader(raw)))
	if err != nil {
		return nil, refused("the message has no readable header")
	}
	for k, vs := range m.Header {
		for _, v := range vs {
			if !utf8.ValidString(k) || !utf8.ValidString(v) {
				return nil, refused("the message's header is not valid UTF-8")
			}
		}
	}
	p := &parsed{raw: raw, header: m.Header}
	w := walker{l: l, p: p, budget: l.Decoded}
	if err := w.part(m.Header.Get("Content-Type"), m.Header.Get("Content-Transfer-Encoding"), m.Body, 0); err != nil {
		return nil, err
	}
	return p, nil
}

// walker reads a MIME tree, counting parts and decoded bytes against the
// limits as it goes.
type walker struct {
	l      Limits
	p      *parsed
	parts  int
	budget int64
}

func (w *walker) part(contentType, encoding string, body io.Reader, depth int) error {
	w.parts++
	if w.parts > w.l.Parts {
		return refused("the message has more than %d parts", w.l.Parts)
	}
	if contentType == "" {
		contentType = "text/plain; charset=us-ascii"
	}
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return refused("a part of the message has a malformed Content-Type")
	}
	if strings.HasPrefix(mt, "multipart/") {
		return w.multipart(params["boundary"], body, depth)
	}
	if mt != "text/plain" && mt != "text/html" {
		// Attachments are counted, never decoded or unpacked: what is
		// in them is not what a message from us says.
		return nil
	}
	if cs := strings.ToLower(params["charset"]); cs != "" && cs != "utf-8" && cs != "us-ascii" {
		return refused("a text part is not in UTF-8, which messages from us always are")
	}
	text, err := w.decode(encoding, body)
	if err != nil {
		return err
	}
	if mt == "text/plain" {
		w.p.texts = append(w.p.texts, text)
	} else {
		w.p.htmls = append(w.p.htmls, text)
	}
	return nil
}

func (w *walker) multipart(boundary string, body io.Reader, depth int) error {
	if depth+1 > w.l.Depth {
		return refused("the message nests parts deeper than %d", w.l.Depth)
	}
	if boundary == "" {
		return refused("a multipart part has no boundary")
	}
	mr := multipart.NewReader(body, boundary)
	for {
		part, err := mr.NextRawPart()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return refused("the message's MIME structure is malformed")
		}
		err = w.part(part.Header.Get("Content-Type"), part.Header.Get("Content-Transfer-Encoding"), part, depth+1)
		part.Close()
		if err != nil {
			return err
		}
	}
}

// decode undoes a transfer encoding, reading no more than the budget
// left, and refuses text that is not UTF-8.
func (w *walker) decode(encoding string, body io.Reader) (string, error) {
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, newlineSkipper{body})
	case "", "7bit", "8bit", "binary":
	default:
		return "", refused("a text part has an unknown transfer encoding")
	}
	b, err := io.ReadAll(io.LimitReader(body, w.budget+1))
	if err != nil {
		return "", refused("a text part cannot be decoded")
	}
	if int64(len(b)) > w.budget {
		return "", refused("the message's text is larger than %d KiB decoded", w.l.Decoded>>10)
	}
	w.budget -= int64(len(b))
	if !utf8.Valid(b) {
		return "", refused("a text part is not valid UTF-8")
	}
	return string(b), nil
}

// newlineSkipper drops CR and LF, which base64 bodies are wrapped with
// and encoding/base64's decoder would otherwise stop at.
type newlineSkipper struct{ r io.Reader }

func (n newlineSkipper) Read(p []byte) (int, error) {
	for {
		k, err := n.r.Read(p)
		j := 0
		for _, c := range p[:k] {
			if c != '\r' && c != '\n' {
				p[j] = c
				j++
			}
		}
		if j > 0 || err != nil {
			return j, err
		}
	}
}
