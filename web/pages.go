package web

import (
	"embed"
	"html/template"
	"net/http"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/signin"
	"github.com/otpd/otpd/useragent"
)

//go:embed templates/*.html
var templateFS embed.FS

func parsePages() *template.Template {
	funcs := template.FuncMap{
		"iso":     func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"clock":   func(t time.Time) string { return t.UTC().Format("2 Jan 2006, 15:04:05 UTC") },
		"when":    func(t time.Time) string { return t.UTC().Format("2 Jan 2006, 15:04 UTC") },
		"purpose": func(p otpd.Purpose) string { return purposeWords[p].does },
		"device":  useragent.Name,
		"hm":      func(t time.Time) string { return t.UTC().Format("15:04 UTC") },
		"hmOn":    hm,
		"dayID":   func(t time.Time) string { return "day-" + t.UTC().Format("2006-01-02") },
		"date":    func(t time.Time) string { return t.UTC().Format("Monday 2 January 2006") },
		"masked":  otpd.Address.Masked,
	}
	return template.Must(template.New("").Funcs(funcs).ParseFS(templateFS, "templates/*.html"))
}

// page is what every template gets.
type page struct {
	Title string
	// Path is the page's own, for the navigation to mark.
	Path   string
	Error  string
	Notice string
	// Field is the input Error is about, shown next to it; Form tells
	// apart two forms on one page that have a field of the same name,
	// and the two forms address.html shows (addressForm.form).
	Field      string
	Form       string
	DevMailbox bool
	Email      string
	Digits     int
	// PasswordMin is the shortest password the policy takes; 0 when the
	// server was not told it.
	PasswordMin int
	// Credit is the GeoIP database's attribution, on every page: the
	// pages show places.
	Credit Credit

	Flow     signin.FlowState
	Closed   bool
	ResendIn int
	// Reasons say, in plain words, why a right password needed a code.
	Reasons []string
	// Base is where the code page's forms post: signInCodes.base, ...
	Base string
	// Return is the page a step-up goes back to: one of stepUpReturns.
	Return string
	// Restart is where a code page asks for the code to be sent to the
	// recovery address instead; ToRecovery marks a page whose code went
	// there.
	Restart    string
	ToRecovery bool

	Account otpd.Account
	// UnderAttack: codes for the account are being asked for from many
	// places right now.
	UnderAttack bool
	// Unused is the home page's banner about codes the owner did not
	// use; nil when there were none.
	Unused  *unusedNotice
	Recent  []entry
	Devices []deviceView
	// Sessions are the account's; SessionCount is their number, for
	// the home page's link to them.
	Sessions     []sessionView
	SessionCount int
	// Kind is the activity filter shown ("" for all), one of Kinds.
	Kind  string
	Kinds []activityKind
	Days  []day
	// Report is the code request a "This wasn't me" page is about.
	Report entry
	// SignedOut: a report signed out the session it was made in.
	SignedOut bool

	Token     string
	Challenge otpd.Challenge
	// Undo marks a "This wasn't me" link that undoes a change of address.
	Undo     bool
	Messages []otpd.Email
}

func (s *Server) newPage(title string) page {
	return page{Title: title, DevMailbox: s.mailbox != nil, Digits: s.engine.Policy().Digits,
		PasswordMin: s.passwordMin, Return: "/"}
}

// accountPage is a page about the caller's account.
func (s *Server) accountPage(title string, c caller) page {
	p := s.newPage(title)
	p.Account = c.account
	return p
}

// render writes a page. Templates are parsed at start-up and tested, so an
// execution error is a bug; it is logged, and the half-written page stays.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	p.Credit, p.Path = s.credit, r.URL.Path
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := s.pages.ExecuteTemplate(w, name, p); err != nil {
		s.log.ErrorContext(r.Context(), "render page", "page", name, "err", err)
	}
}

// renderError shows err on the page it concerns, with its HTTP status and
// Retry-After when it has one.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, name string, p page, err error) {
	e := s.publicError(r, err)
	p.Error, p.Field = e.Message, e.Field
	if e.RetryAfter > 0 {
		p.Error += " (in " + humanDuration(e.RetryAfter) + ")"
	}
	setRetryAfter(w, e)
	s.render(w, r, status(e.Code), name, p)
}

func humanDuration(d time.Duration) string {
	switch {
	case d <= time.Minute:
		return plural(retrySeconds(d), "second")
	case d < time.Hour:
		return plural(int((d+time.Minute-1)/time.Minute), "minute")
	default:
		return plural(int((d+time.Hour-1)/time.Hour), "hour")
	}
}
