package web

import (
	"net/http"

	"github.com/otpd/otpd/signin"
)

// sessionCookie names the cookie that carries a page session's token.
const sessionCookie = "otpd_session"

// setSessionCookie hands the browser the session token. HttpOnly keeps it
// from scripts, Secure from plain-text networks (browsers treat loopback as
// secure, so development works), SameSite=Lax from cross-site posts.
func (s *Server) setSessionCookie(w http.ResponseWriter, in signin.SignedIn) {
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: in.Token, Path: "/",
		Expires:  in.Session.ExpiresAt,
		HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode,
	})
}

func clearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode,
	})
}

func cookieToken(r *http.Request) string {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return ""
	}
	return c.Value
}
