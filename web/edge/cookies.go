package edge

import (
	"net/http"

	"github.com/otpd/otpd/signin"
)

// sessionCookie names the cookie that carries a page session's token.
const sessionCookie = "otpd_session"

// deviceCookie names the cookie that makes a browser one of an account's
// remembered devices. The engine signs its value for one account and checks
// the signature; the web only carries it, so a forged one, or one made for
// another account, is simply an unknown device.
const deviceCookie = "otpd_device"

// deviceCookieAge is 400 days in seconds, the longest browsers keep a
// cookie: a remembered device stays remembered until its owner forgets it.
const deviceCookieAge = 400 * 24 * 60 * 60

// maxDeviceCookie bounds what a request can hand the engine as a device
// cookie; a real one is under 60 bytes.
const maxDeviceCookie = 256

// SetSignInCookies hands the browser the session token and, when the
// person asked to remember this device, the device cookie. HttpOnly keeps
// them from scripts, Secure from plain-text networks (browsers treat
// loopback as secure, so development works), SameSite=Lax from cross-site
// posts. The session cookie has the Domain of CookieDomain, so that apps
// behind forward auth on its subdomains receive it; the device cookie
// stays on this host, where alone it is read.
func (e *Edge) SetSignInCookies(w http.ResponseWriter, in signin.SignedIn) {
	if e.CookieDomain != "" {
		// A host-only cookie from before the domain was set would be
		// sent alongside, and might be read first.
		expireSession(w, "")
	}
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: in.Token, Path: "/", Domain: e.CookieDomain,
		Expires:  in.Session.ExpiresAt,
		HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode,
	})
	if in.DeviceToken != "" {
		http.SetCookie(w, &http.Cookie{
			Name: deviceCookie, Value: in.DeviceToken, Path: "/", MaxAge: deviceCookieAge,
			HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode,
		})
	}
}

// ClearSessionCookie ends the browser's session cookie: the host-only one
// and, with CookieDomain, the domain's.
func (e *Edge) ClearSessionCookie(w http.ResponseWriter) {
	expireSession(w, "")
	if e.CookieDomain != "" {
		expireSession(w, e.CookieDomain)
	}
}

func expireSession(w http.ResponseWriter, domain string) {
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: "", Path: "/", Domain: domain, MaxAge: -1,
		HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode,
	})
}

// SessionToken is the request's session cookie, or "" when it has none.
func SessionToken(r *http.Request) string {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return ""
	}
	return c.Value
}

// DeviceToken is the request's device cookie, or "" when it has none or
// one too long to be ours.
func DeviceToken(r *http.Request) string {
	c, err := r.Cookie(deviceCookie)
	if err != nil || len(c.Value) > maxDeviceCookie {
		return ""
	}
	return c.Value
}
