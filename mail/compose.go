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
	"io/fs"
	"os"
	"path"
	"strings"
	"sync"
	texttemplate "text/template"
	"time"

	"golang.org/x/text/language"

	"github.com/otpd/otpd"
)

// The templates, one folder per language:
//
//	layout.html              the HTML skeleton, without words, for every language
//	<lang>/phrases.txt       named phrases both parts of every kind share
//	<lang>/<kind>.txt        the text part; it also defines "subject"
//	<lang>/<kind>.html       the HTML part; it defines "content" for the layout
//
//go:embed templates
var embedded embed.FS

// Composer turns a queued message and its unsealed data into an email. Set
// its fields before the first Compose or Check and do not change them
// after; Compose is then safe for concurrent use. Templates are read and
// parsed once, on first use.
type Composer struct {
	// From is the RFC 5322 From header, e.g. "otpd <no-reply@localhost>".
	From string
	// PublicURL is where people reach the server, e.g.
	// "https://login.example.com"; the message's one link, "This wasn't
	// me" (or "Undo this change" in an address-change notice), points
	// there.
	PublicURL string
	// Product names the service in the text, e.g. "otpd".
	Product string
	// CodeInSubject puts the code in the subject ("123 456 is your sign-in
	// code"), which saves opening the mail. Off by default: a lock screen
	// shows the subject to anyone holding the phone.
	CodeInSubject bool
	// TemplateDir, when set, is a folder laid out like the embedded
	// templates (en/code.txt, de/code.html, layout.html, ...). A file there
	// replaces the embedded file of the same path; any file it lacks comes
	// from the embedded set.
	TemplateDir string
	// Lang is the language of a message whose data names none: the
	// server's default, for an address that has no account or whose
	// account chose no language. "" is English.
	Lang string

	once sync.Once
	// matcher only reads its tables once made, so sharing it is safe.
	matcher language.Matcher
	langs   []langTemplates
	err     error
}

// translations are the languages the messages are written in; the first is
// the default for readers whose languages are all missing here. layout
// writes times in that language's habit, always in UTC because we do not
// know the reader's zone, and always saying so.
var translations = []struct {
	tag         language.Tag
	dir, layout string
}{
	{language.English, "en", "15:04 UTC on Mon 2 January 2006"},
	{language.German, "de", "02.01.2006, 15:04 UTC"},
}

var kinds = map[otpd.MessageKind]string{
	otpd.MessageCode:            "code",
	otpd.MessageNoAccount:       "no_account",
	otpd.MessagePasswordChanged: "password_changed",
	otpd.MessageEmailChanged:    "email_changed",
	otpd.MessageUnderAttack:     "under_attack",
	otpd.MessageAppAuthorized:   "app_authorized",
	otpd.MessageDisabled:        "account_disabled",
	otpd.MessageMethodChanged:   "method_changed",
}

// purposes are every purpose a message can have; tryAll renders each kind
// with each, since the templates word themselves by it.
var purposes = []otpd.Purpose{otpd.PurposeSignIn, otpd.PurposeSignUp, otpd.PurposeResetPassword, otpd.PurposeStepUp,
	otpd.PurposeChangeEmail, otpd.PurposeAddRecovery}

// langTemplates are one language's parsed templates, by message kind.
type langTemplates struct {
	dir, layout string
	kinds       map[otpd.MessageKind]kindTemplates
}

// kindTemplates are the parsed parts of one kind of message; text also
// holds the "subject" template.
type kindTemplates struct {
	text *texttemplate.Template
	html *htmltemplate.Template
}

// Check reads and parses the templates, with TemplateDir's overrides, and
// renders every kind of message in every language once, so that a broken
// override is found at start-up rather than by the first person who asks
// for a code. It returns the same error every Compose would.
func (c *Composer) Check() error {
	c.once.Do(c.parse)
	return c.err
}

func (c *Composer) parse() {
	var errs []error
	tags := make([]language.Tag, len(translations))
	for i, tr := range translations {
		tags[i] = tr.tag
		l := langTemplates{dir: tr.dir, layout: tr.layout, kinds: map[otpd.MessageKind]kindTemplates{}}
		for kind, name := range kinds {
			t, err := c.parseKind(tr.dir, name)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			l.kinds[kind] = t
		}
		c.langs = append(c.langs, l)
	}
	c.matcher = language.NewMatcher(tags)
	errs = append(errs, c.unusedOverrides()...)
	if len(errs) == 0 {
		errs = append(errs, c.tryAll()...)
	}
	c.err = errors.Join(errs...)
}

// parseKind parses the text and HTML parts of one kind in one language.
func (c *Composer) parseKind(dir, name string) (kindTemplates, error) {
	text, html := texttemplate.New(""), htmltemplate.New("")
	for _, f := range []struct {
		path       string
		text, html bool
	}{
		{dir + "/phrases.txt", true, true},
		{dir + "/" + name + ".txt", true, false},
		{"layout.html", false, true},
		{dir + "/" + name + ".html", false, true},
	} {
		src, err := c.readTemplate(f.path)
		if err == nil && f.text {
			_, err = text.New(path.Base(f.path)).Parse(string(src))
		}
		if err == nil && f.html {
			_, err = html.New(path.Base(f.path)).Parse(string(src))
		}
		if err != nil {
			return kindTemplates{}, fmt.Errorf("mail: template %s: %w", f.path, err)
		}
	}
	return kindTemplates{text: text.Lookup(name + ".txt"), html: html.Lookup("layout.html")}, nil
}

// readTemplate reads p from TemplateDir if it is there, else from the
// embedded templates.
func (c *Composer) readTemplate(p string) ([]byte, error) {
	if c.TemplateDir != "" {
		b, err := fs.ReadFile(os.DirFS(c.TemplateDir), p)
		if err == nil {
			return b, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	return fs.ReadFile(embedded, "templates/"+p)
}

// unusedOverrides names the template files in TemplateDir that replace
// nothing, such as "en/code.text" or "fr/code.txt": an operator who made
// them expects them to be used. Files that do not look like templates (a
// README, an editor's backup) are left alone.
func (c *Composer) unusedOverrides() []error {
	if c.TemplateDir == "" {
		return nil
	}
	if fi, err := os.Stat(c.TemplateDir); err != nil || !fi.IsDir() {
		return []error{fmt.Errorf("mail: template folder %q is not a readable folder", c.TemplateDir)}
	}
	var errs []error
	err := fs.WalkDir(os.DirFS(c.TemplateDir), ".", func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		switch path.Ext(p) {
		case ".txt", ".text", ".html", ".htm", ".tmpl", ".tpl":
		default:
			return nil
		}
		if _, err := fs.Stat(embedded, "templates/"+p); err != nil {
			errs = append(errs, fmt.Errorf("mail: template override %s replaces no template", p))
		}
		return nil
	})
	if err != nil {
		errs = append(errs, fmt.Errorf("mail: template folder: %w", err))
	}
	return errs
}

// tryAll renders each kind, purpose and language with sample data, since
// some template mistakes (a misspelt field) show only when run.
func (c *Composer) tryAll() []error {
	at := time.Date(2026, 11, 23, 14, 2, 0, 0, time.UTC)
	d := otpd.MessageData{Code: "123456789", RequestedAt: at, ExpiresAt: at.Add(10 * time.Minute),
		IP: "192.0.2.1", UserAgent: "curl/8.5.0", Place: "Berlin, Germany", DenyToken: "sample"}
	var errs []error
	for _, l := range c.langs {
		for kind := range kinds {
			if err := c.tryKind(l, kind, d); err != nil {
				errs = append(errs, fmt.Errorf("mail: templates %s/%s: %w", l.dir, kinds[kind], err))
			}
		}
	}
	return errs
}

// tryKind renders one kind in one language for every purpose and every
// sample of the kind, since each may take its own branch of the
// templates. It stops at the first failure: the others are most often the
// same mistake.
func (c *Composer) tryKind(l langTemplates, kind otpd.MessageKind, d otpd.MessageData) error {
	for _, d.Purpose = range purposes {
		for _, d := range samples(kind, d) {
			e, err := c.compose(l, otpd.OutboxMessage{ID: "sample", Kind: kind, Ref: "K7QP-2MXD"}, d)
			lost := !strings.Contains(e.Text, "123 456 789") || !strings.Contains(e.HTML, "123 456 789")
			if err == nil && kind == otpd.MessageCode && lost {
				err = errors.New("the code is not in both parts")
			}
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// samples are d varied over what a kind's templates branch on besides the
// purpose: every change in a password notice; in an app notice, every
// scope, and the address not among them; in an address-change notice,
// an undo deadline of one day, of several, and none; in an under-attack
// notice, one request or many, from no known place, a few, more than are
// named, and as many as a campaign keeps, with a deadline and without.
func samples(kind otpd.MessageKind, d otpd.MessageData) []otpd.MessageData {
	var ds []otpd.MessageData
	switch kind {
	case otpd.MessageUnderAttack:
		places := make([]string, otpd.MaxCampaignPlaces)
		for i := range places {
			places[i] = fmt.Sprintf("Place %d, Country", i+1)
		}
		until := d.RequestedAt.Add(time.Hour)
		for _, s := range []struct {
			requests, places int
			until            time.Time
		}{{1, 0, time.Time{}}, {1, 1, until}, {12, 3, until}, {40, maxPlacesShown + 1, until}, {200, len(places), time.Time{}}} {
			d.Requests, d.Places, d.ExpiresAt = s.requests, places[:s.places], s.until
			ds = append(ds, d)
		}
	case otpd.MessagePasswordChanged:
		for _, d.Change = range passwordChanges {
			ds = append(ds, d)
		}
	case otpd.MessageAppAuthorized:
		d.App = "Example Notes"
		for _, d.Scopes = range [][]string{appScopes, {otpd.ScopeOpenID}, {otpd.ScopeOpenID, otpd.ScopeOfflineAccess}} {
			ds = append(ds, d)
		}
	case otpd.MessageMethodChanged:
		for _, d.Change = range otpd.MethodChanges {
			ds = append(ds, d)
		}
	case otpd.MessageEmailChanged:
		d.NewEmail = "j•••@example.com"
		for _, days := range []int{1, 7, 0} {
			d.ExpiresAt = d.RequestedAt.AddDate(0, 0, days)
			ds = append(ds, d)
		}
	default:
		ds = append(ds, d)
	}
	return ds
}

// Compose renders m with its data d, in the translation that best matches
// d.Lang, the language the recipient's account chose, or c.Lang when it
// chose none. An error means the message can never be composed
// (broken templates, an unknown kind, purpose or password change, a
// malformed code, an address-change notice without the new address, an
// under-attack notice without its requests, an app notice without the
// app or what it can see), so the caller should not
// retry it. Errors never contain the code.
func (c *Composer) Compose(m otpd.OutboxMessage, d otpd.MessageData) (otpd.Email, error) {
	if err := c.Check(); err != nil {
		return otpd.Email{}, err
	}
	lang := d.Lang
	if lang == "" {
		lang = c.Lang
	}
	return c.compose(c.langs[c.pick(lang)], m, d)
}

// maxLang bounds the Accept-Language value read: it comes from whoever
// asked, and the matcher's work grows with it.
const maxLang = 256

// pick returns the index of the translation that best suits an
// Accept-Language value; the default when it is empty, malformed or asks
// for languages we do not have.
func (c *Composer) pick(acceptLanguage string) int {
	if len(acceptLanguage) > maxLang {
		// A real header is a few dozen bytes; cut at a list separator so
		// that what is left still parses.
		acceptLanguage = acceptLanguage[:maxLang]
		if i := strings.LastIndexByte(acceptLanguage, ','); i >= 0 {
			acceptLanguage = acceptLanguage[:i]
		}
	}
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return 0
	}
	_, i, conf := c.matcher.Match(tags...)
	if conf == language.No {
		return 0
	}
	return i
}

func (c *Composer) compose(l langTemplates, m otpd.OutboxMessage, d otpd.MessageData) (otpd.Email, error) {
	fail := func(err error) (otpd.Email, error) {
		return otpd.Email{}, fmt.Errorf("mail: compose %s: %w", m.ID, err)
	}
	t, ok := l.kinds[m.Kind]
	if !ok {
		return fail(fmt.Errorf("unknown message kind %q", m.Kind))
	}
	v, err := c.view(l, m, d)
	if err != nil {
		return fail(err)
	}
	var subject, text, html bytes.Buffer
	if err := t.text.ExecuteTemplate(&subject, "subject", v); err != nil {
		return fail(fmt.Errorf("subject: %w", err))
	}
	// A subject is a header: whatever a template or a value put in it, it
	// must not break the line and so forge headers of its own.
	v.Subject = strings.Join(strings.Fields(clean(subject.String(), maxShown)), " ")
	if v.Subject == "" {
		return fail(errors.New("empty subject"))
	}
	if err := t.text.Execute(&text, v); err != nil {
		return fail(fmt.Errorf("text: %w", err))
	}
	if err := t.html.Execute(&html, v); err != nil {
		return fail(fmt.Errorf("html: %w", err))
	}
	return otpd.Email{MessageID: m.MessageID, Ref: v.Ref, From: c.From, To: m.To, Subject: v.Subject,
		Date: m.CreatedAt, Text: text.String(), HTML: html.String()}, nil
}
