package pages

import (
	"net/http"
	"net/url"
	"slices"
)

// A return target is where a browser goes once it is signed in, or once
// a step-up is done: one of the pages in stepUpReturns, or an absolute URL
// on an app otpd was configured to send people back to (edge.Returns:
// return_to and the hosts of forward auth). It comes from a link anyone
// can craft, so anything else is dropped and the browser stays here:
// never an open redirect.

// stepUpReturns are the pages of otpd a step-up may lead back to.
var stepUpReturns = []string{"/", "/account/password", "/account/password/remove", "/account/email",
	"/account/recovery", "/account/recovery/remove", "/account/code-sign-in", "/account/sign-out-everywhere"}

// checkReturn returns raw when it is a return target, with its origin
// when it leads to another; "" when it is none.
func (p *Pages) checkReturn(raw string) (target, origin string) {
	if slices.Contains(stepUpReturns, raw) {
		return raw, ""
	}
	if target, origin, ok := p.Returns.Check(raw); ok {
		return target, origin
	}
	return "", ""
}

// returnOr is the request's return target (from its query or form), or
// fallback when it has none.
func (p *Pages) returnOr(r *http.Request, fallback string) string {
	if target, _ := p.checkReturn(r.FormValue("return")); target != "" {
		return target
	}
	return fallback
}

// returning sets l's return target from the request's, so that the page's
// forms carry it on and its policy lets them end there.
func (p *Pages) returning(r *http.Request, l layout) layout {
	l.Return, l.ReturnOrigin = p.checkReturn(r.FormValue("return"))
	return l
}

// withReturn adds the request's return target, if any, to the query q of
// the next page.
func (p *Pages) withReturn(r *http.Request, q url.Values) url.Values {
	if target, _ := p.checkReturn(r.FormValue("return")); target != "" && target != "/" {
		q.Set("return", target)
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
