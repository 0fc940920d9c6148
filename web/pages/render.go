package pages

import (
	"embed"
	"html/template"
	"net/http"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/msgcheck"
	"github.com/otpd/otpd/useragent"
	"github.com/otpd/otpd/web/activity"
	"github.com/otpd/otpd/web/edge"
)

//go:embed templates/*.html
var templateFS embed.FS

func parseTemplates() *template.Template {
	funcs := template.FuncMap{
		"iso":     func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"clock":   func(t time.Time) string { return t.UTC().Format("2 Jan 2006, 15:04:05 UTC") },
		"when":    func(t time.Time) string { return t.UTC().Format("2 Jan 2006, 15:04 UTC") },
		"purpose": activity.CodeDoes,
		"device":  useragent.Name,
		"hm":      func(t time.Time) string { return t.UTC().Format("15:04 UTC") },
		"hmOn":    activity.TimeOfDay,
		"dayID":   func(t time.Time) string { return "day-" + t.UTC().Format("2006-01-02") },
		"date":    func(t time.Time) string { return t.UTC().Format("Monday 2 January 2006") },
		"masked":  otpd.Address.Masked,
		// The words of a message check (check.go).
		"reasonWords": func(r msgcheck.Reason) string { return reasonWords[r] },
		"changeWords": func(c msgcheck.Change) string { return changeWords[c] },
		"sigWords":    func(s msgcheck.SigResult) string { return sigWords[s] },
		"messageKind": kindWord,
	}
	return template.Must(template.New("").Funcs(funcs).ParseFS(templateFS, "templates/*.html"))
}

// render writes the page of template name with its view v. Templates are
// parsed at start-up and tested, so an execution error is a bug; it is
// logged, and the half-written page stays.
func (p *Pages) render(w http.ResponseWriter, r *http.Request, status int, name string, v view) {
	l := v.base()
	l.Credit, l.Path = p.credit, r.URL.Path
	if l.ReturnOrigin != "" || l.App != nil {
		w.Header().Set("Content-Security-Policy", edge.ContentSecurityPolicy(l.ReturnOrigin, l.App.logoOrigin()))
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := p.templates.ExecuteTemplate(w, name, v); err != nil {
		p.Log.ErrorContext(r.Context(), "render page", "page", name, "err", err)
	}
}

// renderError shows err on the page it concerns, with its HTTP status and
// Retry-After when it has one.
func (p *Pages) renderError(w http.ResponseWriter, r *http.Request, name string, v view, err error) {
	e := p.PublicError(r, err)
	l := v.base()
	l.Error, l.Field = e.Message, e.Field
	if e.RetryAfter > 0 {
		l.Error += " (in " + humanDuration(e.RetryAfter) + ")"
	}
	edge.SetRetryAfter(w, e)
	p.render(w, r, edge.Status(e.Code), name, v)
}

// showError shows err on the error page, titled title.
func (p *Pages) showError(w http.ResponseWriter, r *http.Request, title string, err error) {
	l := p.newLayout(title)
	p.renderError(w, r, "error.html", &l, err)
}

// NotFound answers that there is no page at this address; field, when
// set, names the part of it that names nothing.
func (p *Pages) NotFound(w http.ResponseWriter, r *http.Request, field string) {
	p.showError(w, r, "Page not found", &otpd.Error{Code: otpd.ENotFound, Field: field, Message: "there is nothing at this address"})
}

func humanDuration(d time.Duration) string {
	switch {
	case d <= time.Minute:
		return activity.Plural(edge.RetrySeconds(d), "second")
	case d < time.Hour:
		return activity.Plural(int((d+time.Minute-1)/time.Minute), "minute")
	default:
		return activity.Plural(int((d+time.Hour-1)/time.Hour), "hour")
	}
}

// ShowError shows err on the error page, titled title, for a handler
// outside the pages.
func (p *Pages) ShowError(w http.ResponseWriter, r *http.Request, title string, err error) {
	p.showError(w, r, title, err)
}
