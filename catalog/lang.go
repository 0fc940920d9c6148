package catalog

import (
	"fmt"
	"html/template"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// Lang is one language of the catalogue: what a page or an email is
// written in. The zero Lang is not usable; get one from a Catalog.
type Lang struct {
	cat *Catalog
	tag string
	loc *i18n.Localizer
}

// Tag is the language's BCP 47 tag ("en", "pt-BR"), as <html lang> says it.
func (l Lang) Tag() string { return l.tag }

// Dir is the direction of the language's script: "rtl" or "ltr".
func (l Lang) Dir() string {
	base, _ := language.Make(l.tag).Base()
	switch base.String() {
	case "ar", "he", "fa", "ur":
		return "rtl"
	}
	return "ltr"
}

// Name is the language's own name for itself ("Deutsch").
func (l Lang) Name() string { return l.T("language.name") }

// T returns key's message in l with the placeholders named in args
// ("Seconds", 30, "App", name) filled in. A key no language has comes
// back as ⟦key⟧, which the tests look for on every page.
func (l Lang) T(key string, args ...any) string {
	return l.localize(key, nil, args)
}

// Has reports whether the catalogue has key, in l or in the source
// language it falls back to.
func (l Lang) Has(key string) bool {
	return l.cat.messages[l.tag][key] != nil || l.cat.messages[Source][key] != nil
}

// N returns key's message in the plural form that count takes in l, with
// count as the placeholder Count and args as T's.
func (l Lang) N(key string, count int, args ...any) string {
	return l.localize(key, count, append(args, "Count", count))
}

// HTML is T for a message written as HTML (its own markup, such as
// <strong>, is kept); every argument is escaped first, but for one that
// is template.HTML already.
func (l Lang) HTML(key string, args ...any) template.HTML {
	return template.HTML(l.localize(key, nil, escaped(args))) //nolint:gosec // the catalogue's own markup; arguments escaped
}

// HTMLN is N for a message written as HTML, its arguments escaped as
// HTML's are.
func (l Lang) HTMLN(key string, count int, args ...any) template.HTML {
	return template.HTML(l.localize(key, count, escaped(append(args, "Count", count)))) //nolint:gosec // as HTML
}

func escaped(args []any) []any {
	esc := slices.Clone(args)
	for i := 1; i < len(esc); i += 2 {
		if h, ok := esc[i].(template.HTML); ok {
			esc[i] = string(h)
			continue
		}
		esc[i] = template.HTMLEscapeString(fmt.Sprint(esc[i]))
	}
	return esc
}

func (l Lang) localize(key string, count any, args []any) string {
	s, err := l.try(key, count, args)
	if err != nil {
		return "⟦" + key + "⟧"
	}
	return s
}

// try is localize with its error: a key no language has, a plural form
// the language's message lacks, a template that does not run.
func (l Lang) try(key string, count any, args []any) (string, error) {
	data := map[string]any{}
	for i := 0; i+1 < len(args); i += 2 {
		data[fmt.Sprint(args[i])] = args[i+1]
	}
	return l.loc.Localize(&i18n.LocalizeConfig{MessageID: key, TemplateData: data, PluralCount: count})
}

// Check renders every message of every language with every plural
// count that picks a different form somewhere, and returns what fails:
// a key a language lacks or has beyond the source, placeholders that
// differ from the source's, a plural form a language needs and lacks.
// Each problem names the language and the key.
func (c *Catalog) Check() []error {
	var errs []error
	src := c.messages[Source]
	for _, l := range c.langs {
		have := c.messages[l.tag]
		for _, k := range c.Keys(Source) {
			m, ok := have[k]
			if !ok {
				errs = append(errs, fmt.Errorf("%w: %s.toml lacks %q (English: %q)", ErrMissing, l.tag, k, src[k].Other))
				continue
			}
			if d := PlaceholderDiff(src[k], m); d != "" {
				errs = append(errs, fmt.Errorf("%s.toml: %q: %s", l.tag, k, d))
			}
			if Plural(src[k]) != Plural(m) {
				errs = append(errs, fmt.Errorf("%s.toml: %q: plural in one language and not the other", l.tag, k))
			}
			errs = append(errs, l.tryForms(k, m)...)
		}
		for _, k := range c.Keys(l.tag) {
			if src[k] == nil {
				errs = append(errs, fmt.Errorf("%s.toml has %q, which English does not", l.tag, k))
			}
		}
	}
	return errs
}

// pluralSamples pick every CLDR form in the catalogue's languages: zero,
// one, two, few (2–4, 3–10, 102), many (11–99, 5–20, 1000000)…
var pluralSamples = []int{0, 1, 2, 3, 5, 11, 21, 22, 25, 100, 101, 102, 111, 1000000}

func (l Lang) tryForms(k string, m *i18n.Message) []error {
	args := []any{}
	for _, p := range Placeholders(m) {
		args = append(args, p, "x")
	}
	counts := []any{nil}
	if Plural(m) {
		counts = counts[:0]
		for _, n := range pluralSamples {
			counts = append(counts, n)
		}
	}
	var errs []error
	for _, n := range counts {
		if _, err := l.try(k, n, args); err != nil {
			errs = append(errs, fmt.Errorf("%s.toml: %q with count %v: %w", l.tag, k, n, err))
			break
		}
	}
	return errs
}

// Choose returns the language a reader gets: the account's choice when
// it is one of the catalogue's, else the best match of the browser's
// Accept-Language, else the server's default.
func (c *Catalog) Choose(accountLang, acceptLanguage string) Lang {
	if l, ok := c.byTag[accountLang]; ok {
		return l
	}
	return c.Accept(acceptLanguage)
}

// maxAccept bounds the Accept-Language value read: it comes from whoever
// asked, and the matcher's work grows with it.
const maxAccept = 256

// Accept returns the language that best suits an Accept-Language value;
// the default when it is empty, malformed or asks only for languages the
// catalogue lacks.
func (c *Catalog) Accept(acceptLanguage string) Lang {
	if len(acceptLanguage) > maxAccept {
		// A real header is a few dozen bytes; cut at a list separator so
		// that what is left still parses.
		acceptLanguage = acceptLanguage[:maxAccept]
		if i := strings.LastIndexByte(acceptLanguage, ','); i >= 0 {
			acceptLanguage = acceptLanguage[:i]
		}
	}
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return c.def
	}
	_, i, conf := c.matcher.Match(tags...)
	if conf == language.No {
		return c.def
	}
	return c.langs[i]
}

var placeholder = regexp.MustCompile(`\{\{\s*\.([A-Za-z0-9_]+)\s*\}\}`)

// Placeholders are the names a message's forms use, sorted.
func Placeholders(m *i18n.Message) []string {
	set := map[string]bool{}
	for _, s := range []string{m.Zero, m.One, m.Two, m.Few, m.Many, m.Other} {
		for _, p := range placeholder.FindAllStringSubmatch(s, -1) {
			set[p[1]] = true
		}
	}
	var names []string
	for n := range set {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// PlaceholderDiff says how b's placeholders differ from a's, or "".
func PlaceholderDiff(a, b *i18n.Message) string {
	pa, pb := Placeholders(a), Placeholders(b)
	if slices.Equal(pa, pb) {
		return ""
	}
	return fmt.Sprintf("placeholders %v, want %v", pb, pa)
}

// Plural reports whether m has plural forms.
func Plural(m *i18n.Message) bool {
	return m.Zero != "" || m.One != "" || m.Two != "" || m.Few != "" || m.Many != ""
}
