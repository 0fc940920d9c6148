// Package mail delivers otpd's outbox: it composes messages from their
// templates, sends them through an otpd.Mailer from a worker that retries
// with backoff, and offers a dev mailbox that stands in for SMTP during
// development.
package mail

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"strings"
	"sync"
	texttemplate "text/template"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/otpd/otpd"
)

//go:embed templates
var templateFS embed.FS

// Composer turns a queued message and its unsealed data into an email. Set
// its fields before the first Compose and do not change them after; Compose
// is then safe for concurrent use. Templates are parsed once, on first use.
type Composer struct {
	// From is the RFC 5322 From header, e.g. "otpd <no-reply@localhost>".
	From string
	// PublicURL is where people reach the server, e.g.
	// "https://login.example.com"; the mail points there for account
	// activity.
	PublicURL string
	// Product names the service in the text, e.g. "otpd".
	Product string

	once  sync.Once
	kinds map[otpd.MessageKind]kindTemplates
	err   error
}

// kindTemplates are the parsed text and HTML bodies of one message kind.
type kindTemplates struct {
	text *texttemplate.Template
	html *htmltemplate.Template
}

// Subjects state the purpose but never carry the code: a lock screen shows
// the subject to anyone holding the phone.
var (
	subjects = map[otpd.Purpose]string{
		otpd.PurposeSignIn: "Your sign-in code",
		otpd.PurposeSignUp: "Your code to create your account",
	}
	subjectNoAccount = "Someone tried to sign in with your address"
)

// Code lengths the composer accepts; passcode makes codes within them.
const (
	minCodeLen = 6
	maxCodeLen = 10
)

// maxShown bounds the IP and user agent shown in the mail. They come from
// whoever asked for the code, who must not be able to fill the message.
const maxShown = 200

// view is what the templates see. Every string in it is already cleaned
// of control characters; html/template escapes it for the HTML part.
type view struct {
	Subject     string
	Product     string
	To          string
	Lead        string
	Code        string
	Use         string
	ExpiresAt   string
	Lifetime    string
	IP          string
	UserAgent   string
	RequestedAt string
	ActivityURL string
}

func (c *Composer) parse() {
	c.kinds = make(map[otpd.MessageKind]kindTemplates)
	layout, err := htmltemplate.ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		c.err = fmt.Errorf("mail: parse layout: %w", err)
		return
	}
	for kind, name := range map[otpd.MessageKind]string{
		otpd.MessageCode:      "code",
		otpd.MessageNoAccount: "no_account",
	} {
		text, err := texttemplate.ParseFS(templateFS, "templates/"+name+".txt")
		if err != nil {
			c.err = fmt.Errorf("mail: parse %s.txt: %w", name, err)
			return
		}
		html, err := htmltemplate.Must(layout.Clone()).ParseFS(templateFS, "templates/"+name+".html")
		if err != nil {
			c.err = fmt.Errorf("mail: parse %s.html: %w", name, err)
			return
		}
		c.kinds[kind] = kindTemplates{text: text, html: html}
	}
}

// Compose renders m with its data d. An error means the message can never
// be composed (an unknown kind or purpose, a malformed code), so the
// caller should not retry it. Errors never contain the code.
func (c *Composer) Compose(m otpd.OutboxMessage, d otpd.MessageData) (otpd.Email, error) {
	c.once.Do(c.parse)
	if c.err != nil {
		return otpd.Email{}, c.err
	}
	t, ok := c.kinds[m.Kind]
	if !ok {
		return otpd.Email{}, fmt.Errorf("mail: compose %s: unknown message kind %q", m.ID, m.Kind)
	}
	v := view{
		Product:     c.Product,
		To:          m.To.String(),
		IP:          orUnknown(clean(d.IP, maxShown)),
		UserAgent:   orUnknown(clean(d.UserAgent, maxShown)),
		RequestedAt: formatTime(d.RequestedAt),
		ActivityURL: strings.TrimRight(c.PublicURL, "/") + "/",
	}
	switch m.Kind {
	case otpd.MessageCode:
		if err := c.codeView(&v, d); err != nil {
			return otpd.Email{}, fmt.Errorf("mail: compose %s: %w", m.ID, err)
		}
	case otpd.MessageNoAccount:
		v.Subject = subjectNoAccount
	}

	var text, html bytes.Buffer
	if err := t.text.Execute(&text, v); err != nil {
		return otpd.Email{}, fmt.Errorf("mail: compose %s: text: %w", m.ID, err)
	}
	if err := t.html.ExecuteTemplate(&html, "layout", v); err != nil {
		return otpd.Email{}, fmt.Errorf("mail: compose %s: html: %w", m.ID, err)
	}
	return otpd.Email{
		MessageID: m.MessageID,
		From:      c.From,
		To:        m.To,
		Subject:   v.Subject,
		Date:      m.CreatedAt,
		Text:      text.String(),
		HTML:      html.String(),
	}, nil
}

// codeView fills in what only a code message says.
func (c *Composer) codeView(v *view, d otpd.MessageData) error {
	subject, ok := subjects[d.Purpose]
	if !ok {
		return fmt.Errorf("unknown purpose %q", d.Purpose)
	}
	code, err := groupCode(d.Code)
	if err != nil {
		return err
	}
	if d.ExpiresAt.IsZero() || d.RequestedAt.IsZero() {
		return errors.New("code message without request or expiry time")
	}
	v.Subject = subject
	v.Code = code
	v.ExpiresAt = formatTime(d.ExpiresAt)
	v.Lifetime = lifetime(d.ExpiresAt.Sub(d.RequestedAt))
	if d.Purpose == otpd.PurposeSignUp {
		v.Lead = fmt.Sprintf("Your code to create your %s account is:", c.Product)
		v.Use = fmt.Sprintf("Enter it where you asked for it to create your %s account.", c.Product)
	} else {
		v.Lead = fmt.Sprintf("Your %s sign-in code is:", c.Product)
		v.Use = fmt.Sprintf("Enter it where you asked for it to sign in to %s.", c.Product)
	}
	return nil
}

// groupCode spaces a code of 6 to 10 digits into groups of three, which
// people read and type back more reliably than a run of digits: "123 456",
// "123 456 789". A single digit left at the end joins the group before it
// ("123 4567", "123 456 7890") because a lone digit is easy to miss. The
// error never repeats the code.
func groupCode(code string) (string, error) {
	if len(code) < minCodeLen || len(code) > maxCodeLen {
		return "", fmt.Errorf("code is not %d to %d digits long", minCodeLen, maxCodeLen)
	}
	for i := 0; i < len(code); i++ {
		if code[i] < '0' || code[i] > '9' {
			return "", errors.New("code is not all digits")
		}
	}
	var groups []string
	for rest := code; rest != ""; {
		n := 3
		if len(rest) <= 4 {
			n = len(rest)
		}
		groups = append(groups, rest[:n])
		rest = rest[n:]
	}
	return strings.Join(groups, " "), nil
}

// formatTime writes an instant in UTC, spelled out so that no reader
// mistakes day for month.
func formatTime(t time.Time) string {
	if t.IsZero() {
		return "unknown"
	}
	return t.UTC().Format("15:04 UTC on Mon 2 January 2006")
}

// lifetime says how long a code lives, in whole minutes.
func lifetime(d time.Duration) string {
	m := d.Round(time.Minute) / time.Minute
	switch {
	case m < 1:
		return "less than a minute"
	case m == 1:
		return "1 minute"
	default:
		return fmt.Sprintf("%d minutes", m)
	}
}

// clean makes a requester-supplied string safe to put in a text mail: it
// must not break lines (and so forge paragraphs below it), carry invalid
// UTF-8, or run on. HTML escaping is left to html/template.
func clean(s string, limit int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		// Format characters include bidi overrides, which could make
		// the text read differently from what it is.
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) > limit {
		s = string([]rune(s)[:limit]) + "…"
	}
	return s
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}
