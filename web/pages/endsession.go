package pages

import (
	"net/http"

	"github.com/otpd/otpd"
)

// An app that signs its person out may send the browser here too
// (RP-initiated logout), to end the otpd session as well. Only a request
// whose id_token_hint was issued in this very session ends it at once;
// any other is asked about first, so that a link cannot sign anyone out. The
// app's refresh tokens stay: taking them is Remove access.

// endSessionView is end_session.html's: the question, with the app's
// request carried in hidden fields to be validated again.
type endSessionView struct {
	layout
	// AppName is the app that asked, "" when it did not say.
	AppName string
	Fields  []hiddenField
}

type hiddenField struct{ Name, Value string }

// endSessionFields are the parameters of an end session request.
var endSessionFields = []string{"id_token_hint", "client_id", "post_logout_redirect_uri", "state", "ui_locales", "logout_hint"}

// EndSessionFromApp answers GET and POST /oauth2/end-session. The POST
// comes from the question's own form (the cross-origin check keeps other
// sites' forms out), so it signs out.
func (p *Pages) EndSessionFromApp(w http.ResponseWriter, r *http.Request) {
	es, err := p.provider.EndSession(r)
	if err != nil {
		p.showError(w, r, "title.sign_out", err)
		return
	}
	done := es.RedirectURI
	if done == "" {
		done = "/"
	}
	c, err := p.optionalCaller(w, r)
	switch {
	case err != nil:
		p.showError(w, r, "title.sign_out", err)
	case c.Account().ID == "":
		http.Redirect(w, r, done, http.StatusFound)
	case r.Method == http.MethodPost || hintsAt(es, c.Session()):
		if err := p.Engine.SignOut(r.Context(), c, p.Requester(r)); err != nil && otpd.ErrorCode(err) != otpd.EUnauthorized {
			p.showError(w, r, "title.sign_out", err)
			return
		}
		p.ClearSessionCookie(w)
		http.Redirect(w, r, done, http.StatusFound)
	default:
		v := &endSessionView{layout: p.accountLayout("title.sign_out_ask", c.Account())}
		v.ReturnOrigin = originOf(es.RedirectURI)
		if a, err := p.Engine.App(r.Context(), es.ClientID); err == nil {
			v.AppName = newAppView(a).Name
		}
		for _, name := range endSessionFields {
			if val := r.FormValue(name); val != "" {
				v.Fields = append(v.Fields, hiddenField{name, val})
			}
		}
		p.render(w, r, http.StatusOK, "end_session.html", v)
	}
}

// hintsAt reports whether the app's id_token_hint was issued in session
// s: its subject is s's account and its auth_time s's start or its
// step-up (otpd.AuthTime, to the second, as ID tokens carry it).
func hintsAt(es otpd.EndSession, s otpd.Session) bool {
	at := es.SignedInAt.Unix()
	return es.AccountID != "" && es.AccountID == s.AccountID &&
		(at == s.CreatedAt.Unix() || at == otpd.AuthTime(s).Unix())
}
