// Package pages serves the HTML pages: their handlers, the templates
// they fill and the stylesheet. Each template has a view type of its own
// that embeds the layout every page shares; a page that shows nothing
// beyond the layout is given the layout itself. A signed-in page
// authenticates the session cookie once (pageCaller) and passes the
// Caller to the engine.
package pages

import (
	"context"
	"html/template"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/catalog"
	"github.com/otpd/otpd/web/edge"
)

// Mailbox is the dev mailbox as its page reads it: the messages kept for
// an address (every one when to is empty), and the raw form of one, as it
// would have been sent (an error wrapping otpd.ErrNotFound when there is
// none).
type Mailbox interface {
	Messages(ctx context.Context, to string, limit int) ([]otpd.Email, error)
	Raw(ctx context.Context, messageID string) ([]byte, error)
}

// Credit is a link naming the source of some data shown.
type Credit struct {
	Text, URL string
}

// Options configure the pages beyond the edge they share with the API.
type Options struct {
	// Mailbox, when set, is the dev mailbox the pages show and link to.
	Mailbox Mailbox
	// PasswordMin is the password policy's minimum, shown as a hint
	// where a password is set; 0 leaves the number out of the hint.
	PasswordMin int
	// Credit is the attribution the GeoIP database's licence asks of
	// pages that show places; the zero Credit shows none.
	Credit Credit
	// Provider, when set, is the OpenID Connect provider whose sign-in
	// requests the pages complete.
	Provider Provider
	// Catalog holds the pages' words in every language.
	Catalog *catalog.Catalog
}

// Pages are the page handlers. Build them with New.
type Pages struct {
	*edge.Edge
	mailbox     Mailbox
	templates   map[string]*template.Template
	passwordMin int
	credit      Credit
	provider    Provider
}

// New returns the pages over e. It parses the templates once for each
// language of o.Catalog.
func New(e *edge.Edge, o Options) *Pages {
	return &Pages{Edge: e, mailbox: o.Mailbox, templates: parseTemplates(o.Catalog),
		passwordMin: o.PasswordMin, credit: o.Credit, provider: o.Provider}
}
