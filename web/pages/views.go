package pages

import (
	"github.com/otpd/otpd"
)

// layout is what layout.html's top and bottom show on every page, and
// what error.html shows in full. Each template's view embeds it, so
// that .Title and the rest read the same everywhere.
type layout struct {
	// Title is the catalogue's key of the page's title; TitleApp fills
	// its placeholder App, where it has one.
	Title, TitleApp string
	// Path is the page's own, for the navigation to mark.
	Path string
	// Error is in the page's language; Notice is a key of the catalogue.
	Error  string
	Notice string
	// Field is the input Error is about, shown next to it.
	Field      string
	DevMailbox bool
	// Account is the signed-in account, for the navigation; zero on a
	// page shown to nobody in particular.
	Account otpd.Account
	// Credit is the GeoIP database's attribution, on every page: the
	// pages show places.
	Credit Credit
	// Return is where the page's forms lead once they are done: a
	// return target (returns.go), or "" for the usual place.
	// ReturnOrigin is its origin when that is another site, which the
	// page's form-action allows.
	Return, ReturnOrigin string
	// App is the app a person is signing in to when Return is its
	// sign-in request: the page names it.
	App *appView
}

// view is a template's data: the layout and whatever else it shows.
type view interface{ base() *layout }

func (l *layout) base() *layout { return l }

func (p *Pages) newLayout(title string) layout {
	return layout{Title: title, DevMailbox: p.mailbox != nil}
}

// accountLayout is the layout of a page about the caller's account.
func (p *Pages) accountLayout(title string, acct otpd.Account) layout {
	l := p.newLayout(title)
	l.Account = acct
	return l
}
