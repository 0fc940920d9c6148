// Package edge is where a request meets the engine, for the JSON API and
// the pages alike: it reads what every handler reads (a JSON body and its
// required fields, the client's address and device, the session token
// and who it authenticates) and answers every error the same way (one
// error-to-status mapping, one JSON error body). Both audiences take it,
// so that a rule of the edge is kept in one place.
package edge

import (
	"log/slog"
	"net/http"
	"net/netip"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/admin"
	"github.com/otpd/otpd/catalog"
	"github.com/otpd/otpd/signin"
)

// Edge holds what reading a request and answering an error depend on.
// The API's and the pages' handlers embed it.
type Edge struct {
	Engine *signin.Engine
	Clock  otpd.Clock
	Log    *slog.Logger
	// Proxies are the networks whose X-Forwarded-For is believed.
	Proxies []netip.Prefix
	// CookieDomain is the session cookie's Domain; "" keeps it on this
	// host.
	CookieDomain string
	// Returns are the origins a signed-in browser may be sent back to.
	Returns Returns
	// Admin administers accounts for the admin API; nil serves none.
	Admin *admin.Service
	// Checker checks the messages people hold; nil answers that this
	// server does not.
	Checker MessageChecker
	// Catalog words the API's error messages in the language a request
	// asks for (Accept-Language); nil keeps the engine's English.
	Catalog *catalog.Catalog
}

// Lang is the language to answer r in: acct's choice, else the best match
// of the request's Accept-Language, else the catalogue's default.
func (e *Edge) Lang(r *http.Request, acct otpd.Account) catalog.Lang {
	return e.Catalog.Choose(acct.Language, r.Header.Get("Accept-Language"))
}
