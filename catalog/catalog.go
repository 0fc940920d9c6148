// Package catalog holds the words people read: one message catalogue for
// the pages, the emails and the API's error messages, one TOML file per
// language in messages/, and the choice of a reader's language.
//
// A message is found by a key that names where it is used
// ("signin.title", "error.invalid_code"), never by its English text, so
// that rewording English changes no other language's lookup. Placeholders
// are named ({{.Seconds}}) so that a language may order them as its
// grammar needs; a message that counts something has CLDR plural forms
// (one, few, many, other…) chosen by go-i18n for each language.
//
// An operator can replace any message from a folder laid out like
// messages/ (en.toml, de.toml…): its keys replace the embedded ones of the
// same language, and Load refuses a key, a language or a placeholder that
// the embedded catalogue does not have, naming the file.
package catalog

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

//go:embed messages/*.toml
var embedded embed.FS

// Source is the language every key is written in first; a language that
// lacks a key (which the tests refuse) falls back to it.
const Source = "en"

// Catalog is the loaded catalogue. It is read-only once Load returns and
// safe for concurrent use.
type Catalog struct {
	bundle *i18n.Bundle
	// langs are the languages in the catalogue, Source first, then by tag.
	langs   []Lang
	byTag   map[string]Lang
	matcher language.Matcher
	// def is the server's default language.
	def Lang
	// messages are each language's messages by key, for Keys and the
	// completeness checks.
	messages map[string]map[string]*i18n.Message
}

// Load reads the embedded catalogue, then the operator's overrides from
// dir ("" for none), and sets defaultLang (a tag in the catalogue, "" for
// Source) as the language of readers who ask for none of ours.
func Load(dir, defaultLang string) (*Catalog, error) {
	c := &Catalog{bundle: i18n.NewBundle(language.English), byTag: map[string]Lang{},
		messages: map[string]map[string]*i18n.Message{}}
	c.bundle.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	files, err := fs.Glob(embedded, "messages/*.toml")
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		b, err := embedded.ReadFile(f)
		if err != nil {
			return nil, err
		}
		if err := c.add(path.Base(f), b, false); err != nil {
			return nil, err
		}
	}
	if dir != "" {
		if err := c.override(dir); err != nil {
			return nil, err
		}
	}
	c.index()
	if defaultLang == "" {
		defaultLang = Source
	}
	l, ok := c.byTag[defaultLang]
	if !ok {
		return nil, fmt.Errorf("catalog: default language %q is not one of %s", defaultLang, strings.Join(c.Tags(), ", "))
	}
	c.def = l
	return c, nil
}

// MustLoad is Load of the embedded catalogue alone, for tests and tools;
// it panics on the error that the package's tests make impossible.
func MustLoad() *Catalog {
	c, err := Load("", "")
	if err != nil {
		panic(err)
	}
	return c
}

// add parses one file of messages; over says it is an operator's, which
// may only replace messages that exist.
func (c *Catalog) add(name string, b []byte, over bool) error {
	tag := strings.TrimSuffix(name, ".toml")
	mf, err := c.bundle.ParseMessageFileBytes(b, name)
	if err != nil {
		return fmt.Errorf("catalog: %s: %w", name, err)
	}
	have := c.messages[tag]
	if over && have == nil {
		return fmt.Errorf("catalog: %s: no language %q in the catalogue (%s)", name, tag, strings.Join(c.tagsSoFar(), ", "))
	}
	if have == nil {
		have = map[string]*i18n.Message{}
		c.messages[tag] = have
	}
	for _, m := range mf.Messages {
		if over {
			old, ok := have[m.ID]
			if !ok {
				return fmt.Errorf("catalog: %s: key %q replaces no message", name, m.ID)
			}
			if d := PlaceholderDiff(old, m); d != "" {
				return fmt.Errorf("catalog: %s: key %q: %s", name, m.ID, d)
			}
		}
		have[m.ID] = m
	}
	return nil
}

// override reads every .toml file of dir.
func (c *Catalog) override(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("catalog: messages folder: %w", err)
	}
	for _, e := range entries {
		if e.IsDir() || path.Ext(e.Name()) != ".toml" {
			continue
		}
		b, err := os.ReadFile(path.Join(dir, e.Name()))
		if err != nil {
			return fmt.Errorf("catalog: %w", err)
		}
		if err := c.add(e.Name(), b, true); err != nil {
			return err
		}
	}
	return nil
}

func (c *Catalog) tagsSoFar() []string {
	var tags []string
	for t := range c.messages {
		tags = append(tags, t)
	}
	sort.Strings(tags)
	return tags
}

// index makes the languages and the matcher once every file is read.
func (c *Catalog) index() {
	tags := c.tagsSoFar()
	slices.SortStableFunc(tags, func(a, b string) int {
		switch {
		case a == Source:
			return -1
		case b == Source:
			return 1
		}
		return 0
	})
	var lt []language.Tag
	for _, t := range tags {
		tag := language.MustParse(t)
		l := Lang{cat: c, tag: t, loc: i18n.NewLocalizer(c.bundle, t, Source)}
		c.langs = append(c.langs, l)
		c.byTag[t] = l
		lt = append(lt, tag)
	}
	c.matcher = language.NewMatcher(lt)
}

// Tags are the catalogue's languages, Source first.
func (c *Catalog) Tags() []string {
	tags := make([]string, len(c.langs))
	for i, l := range c.langs {
		tags[i] = l.tag
	}
	return tags
}

// Langs are the catalogue's languages, Source first.
func (c *Catalog) Langs() []Lang { return slices.Clone(c.langs) }

// Default is the server's default language.
func (c *Catalog) Default() Lang { return c.def }

// Has reports whether tag is exactly one of the catalogue's languages.
func (c *Catalog) Has(tag string) bool {
	_, ok := c.byTag[tag]
	return ok
}

// Lang returns the language tag names exactly, or the default.
func (c *Catalog) Lang(tag string) Lang {
	if l, ok := c.byTag[tag]; ok {
		return l
	}
	return c.def
}

// Keys are the keys of tag's messages, sorted.
func (c *Catalog) Keys(tag string) []string {
	var keys []string
	for k := range c.messages[tag] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Message is tag's message for key, or nil.
func (c *Catalog) Message(tag, key string) *i18n.Message { return c.messages[tag][key] }

// ErrMissing is wrapped by the errors of Check.
var ErrMissing = errors.New("catalog: missing message")
