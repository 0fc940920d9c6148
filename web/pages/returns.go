package pages

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/signin"
)

// A return target is where a browser goes once it is signed in, or once
// a step-up is done: one of the pages in stepUpReturns, an app's sign-in
// request (continuePath), or an absolute URL on an app otpd was
// configured to send people back to (edge.Returns: return_to and the
// hosts of forward auth). It comes from a link anyone can craft, so
// anything else is dropped and the browser stays here: never an open
// redirect.

// stepUpReturns are the pages of otpd a step-up may lead back to.
var stepUpReturns = []string{"/", "/account/password", "/account/password/remove", "/account/email",
	"/account/recovery", "/account/recovery/remove", "/account/code-sign-in", "/account/sign-out-everywhere",
	"/account/methods/recovery-codes", "/account/methods/recovery-codes/remove",
	"/account/methods/authenticator", "/account/methods/authenticator/remove"}

// continuePath matches the page of an app's sign-in request, which the
// sign-in pages lead back to; its IDs are lower-case base32.
var continuePath = regexp.MustCompile(`^/oauth2/continue/[a-z0-9]{1,64}$`)

// returnTo is a checked return target.
type returnTo struct {
	target string
	// origin is the other site the target leads to, at once or (for an
	// app's sign-in request) once the app has its code; "" for none.
	origin string
	// app is the app a sign-in request leads to; nil for other targets.
	app *appView
}

// checkReturn returns raw as a return target, or the zero returnTo when
// it is none.
func (p *Pages) checkReturn(ctx context.Context, raw string) returnTo {
	if slices.Contains(stepUpReturns, raw) {
		return returnTo{target: raw}
	}
	if p.provider != nil && continuePath.MatchString(raw) {
		req, _, err := p.Engine.Authorization(ctx, signin.Caller{}, raw[len(continuePrefix):])
		if err != nil {
			// The continue page will say it has expired; the path stays a
			// target, so the person hears it there.
			return returnTo{target: raw}
		}
		return p.continueReturn(ctx, req)
	}
	if target, origin, ok := p.Returns.Check(raw); ok {
		return returnTo{target: target, origin: origin}
	}
	return returnTo{}
}

// continueReturn is the return target of request req: its continue page,
// whose way on ends at the app's redirect URI.
func (p *Pages) continueReturn(ctx context.Context, req otpd.AuthRequest) returnTo {
	rt := returnTo{target: continuePrefix + req.ID, origin: originOf(req.RedirectURI)}
	a, err := p.Engine.App(ctx, req.ClientID)
	if err != nil {
		a = otpd.App{ID: req.ClientID, Name: req.ClientID}
	}
	rt.app = newAppView(a)
	return rt
}

// originOf is the scheme and host of an absolute http(s) URL, or "".
func originOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// returnOr is the request's return target (from its query or form), or
// fallback when it has none.
func (p *Pages) returnOr(r *http.Request, fallback string) string {
	if rt := p.checkReturn(r.Context(), r.FormValue("return")); rt.target != "" {
		return rt.target
	}
	return fallback
}

// returning sets l's return target from the request's, so that the page's
// forms carry it on and its policy lets them end there.
func (p *Pages) returning(r *http.Request, l layout) layout {
	return l.returning(p.checkReturn(r.Context(), r.FormValue("return")))
}

// returning sets l's return target to rt.
func (l layout) returning(rt returnTo) layout {
	l.Return, l.ReturnOrigin, l.App = rt.target, rt.origin, rt.app
	return l
}

// withReturn adds the request's return target, if any, to the query q of
// the next page.
func (p *Pages) withReturn(r *http.Request, q url.Values) url.Values {
	if rt := p.checkReturn(r.Context(), r.FormValue("return")); rt.target != "" && rt.target != "/" {
		q.Set("return", rt.target)
	}
	return q
}

// query is "?" and the encoded q, or "" when q is empty.
func query(q url.Values) string {
	if len(q) == 0 {
		return ""
	}
	return "?" + q.Encode()
}
