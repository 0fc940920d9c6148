package pages

import (
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/catalog"
	"github.com/otpd/otpd/msgcheck"
	"github.com/otpd/otpd/web/activity"
	"github.com/otpd/otpd/web/edge"
)

//go:embed templates/*.html
var templateFS embed.FS

// parseTemplates parses the templates once for each language of the
// catalogue: each set has its language's words bound to t, th, tn and
// thn, so that a template says {{t "signin.heading"}} and gets the
// reader's language.
func parseTemplates(cat *catalog.Catalog) map[string]*template.Template {
	base := template.Must(template.New("").Funcs(pageFuncs(cat, cat.Default())).ParseFS(templateFS, "templates/*.html"))
	sets := map[string]*template.Template{}
	for _, l := range cat.Langs() {
		sets[l.Tag()] = template.Must(base.Clone()).Funcs(pageFuncs(cat, l))
	}
	return sets
}

// pageFuncs are the template functions, in the language l of cat.
func pageFuncs(cat *catalog.Catalog, l catalog.Lang) template.FuncMap {
	return template.FuncMap{
		"lang":      func() catalog.Lang { return l },
		"languages": cat.Langs,
		"t":         l.T,
		"th":        l.HTML,
		"tn":        l.N,
		"thn":       l.HTMLN,
		// tlist says each key of a list and joins them.
		"tlist": func(keys []string) string {
			said := make([]string, len(keys))
			for i, k := range keys {
				said[i] = l.T(k)
			}
			return strings.Join(said, l.T("common.list_separator"))
		},
		// timeHTML is a <time> element for a sentence that names an
		// instant to the second.
		"timeHTML":     func(t time.Time) template.HTML { return timeElement(t, l.Clock(t)) },
		"timeHTMLWith": timeElement,
		"iso":          func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"clock":        l.Clock,
		"when":         l.When,
		"purpose":      func(p otpd.Purpose) string { return activity.CodeDoes(l, p) },
		"device":       func(ua string) string { return deviceName(l, ua) },
		"hm":           func(t time.Time) string { return l.TimeOfDay(t, t) },
		"hmOn":         l.TimeOfDay,
		"dayID":        func(t time.Time) string { return "day-" + t.UTC().Format("2006-01-02") },
		"date":         l.Date,
		"masked":       otpd.Address.Masked,
		// The words of a message check (check.go).
		"reasonWords": func(r msgcheck.Reason) string { return l.T("check.reason." + string(r)) },
		"changeWords": func(c msgcheck.Change) string { return l.T("check.change." + string(c)) },
		"sigWords":    func(s msgcheck.SigResult) string { return l.T("check.sig." + string(s)) },
		"messageKind": func(k otpd.MessageKind) string { return kindWord(l, k) },
	}
}

// timeElement is a <time> element for t that reads shown.
func timeElement(t time.Time, shown string) template.HTML {
	return template.HTML(fmt.Sprintf(`<time datetime="%s">%s</time>`, //nolint:gosec // both parts escaped
		template.HTMLEscapeString(t.UTC().Format(time.RFC3339)), template.HTMLEscapeString(shown)))
}

// lang is the language the page for r is written in: the signed-in
// account's choice, else the browser's, else the server's default.
func (p *Pages) lang(r *http.Request, acct otpd.Account) catalog.Lang { return p.Lang(r, acct) }

// render writes the page of template name with its view v. Templates are
// parsed at start-up and tested, so an execution error is a bug; it is
// logged, and the half-written page stays.
func (p *Pages) render(w http.ResponseWriter, r *http.Request, status int, name string, v view) {
	l := v.base()
	l.Credit, l.Path = p.credit, r.URL.Path
	lang := p.lang(r, l.Account)
	if l.ReturnOrigin != "" || l.App != nil {
		w.Header().Set("Content-Security-Policy", edge.ContentSecurityPolicy(l.ReturnOrigin, l.App.logoOrigin()))
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Language", lang.Tag())
	w.Header().Add("Vary", "Accept-Language")
	w.WriteHeader(status)
	if err := p.templates[lang.Tag()].ExecuteTemplate(w, name, v); err != nil {
		p.Log.ErrorContext(r.Context(), "render page", "page", name, "err", err)
	}
}

// renderError shows err on the page it concerns, with its HTTP status and
// Retry-After when it has one, in the page's language.
func (p *Pages) renderError(w http.ResponseWriter, r *http.Request, name string, v view, err error) {
	e := p.PublicError(r, err)
	l := v.base()
	l.Error, l.Field = p.lang(r, l.Account).Error(e), e.Field
	edge.SetRetryAfter(w, e)
	p.render(w, r, edge.Status(e.Code), name, v)
}

// showError shows err on the error page, titled by the key title.
func (p *Pages) showError(w http.ResponseWriter, r *http.Request, title string, err error) {
	l := p.newLayout(title)
	p.renderError(w, r, "error.html", &l, err)
}

// NotFound answers that there is no page at this address; field, when
// set, names the part of it that names nothing.
func (p *Pages) NotFound(w http.ResponseWriter, r *http.Request, field string) {
	p.showError(w, r, "title.not_found", &otpd.Error{Code: otpd.ENotFound, Field: field, Message: "there is nothing at this address"})
}

// ShowError shows err on the error page, titled by the catalogue's key
// title, for a handler outside the pages.
func (p *Pages) ShowError(w http.ResponseWriter, r *http.Request, title string, err error) {
	p.showError(w, r, title, err)
}
