package pages

import (
	"context"
	"errors"
	"net/http"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/signin"
	"github.com/otpd/otpd/web/edge"
)

// An app sends a person to /oauth2/authorize; the provider keeps the
// request and sends the browser on to its continue page here, which
// shows what the request needs next (otpd.NextAuthStep): the sign-in
// page, a step-up, or consent, each leading back to the continue page,
// until the engine completes the request and the browser goes on to the
// provider's callback, which gives the app its code.

// Provider is the OpenID Connect provider as the pages use it
// (oidcop.Provider), behind an interface so that the pages do not
// import the library it is built on.
type Provider interface {
	// CallbackURL is where the browser goes once request id is complete.
	CallbackURL(ctx context.Context, id string) string
	// Refuse sends the browser back to the app with refusal.
	Refuse(w http.ResponseWriter, r *http.Request, req otpd.AuthRequest, refusal otpd.AuthRefusal)
	// EndSession validates an app's request to sign a person out.
	EndSession(r *http.Request) (otpd.EndSession, error)
}

// continuePrefix is the path of a sign-in request's page, before its ID.
const continuePrefix = "/oauth2/continue/"

// appView is an app as the pages name it.
type appView struct {
	Name string
	// Logo is its logo's URL, "" when it has none or it is not http(s).
	Logo string
}

func newAppView(a otpd.App) *appView {
	v := &appView{Name: a.Name}
	if a.Name == "" {
		v.Name = a.ID
	}
	if originOf(a.LogoURL) != "" {
		v.Logo = a.LogoURL
	}
	return v
}

// logoOrigin is the origin the page's img-src must allow for the logo.
func (v *appView) logoOrigin() string {
	if v == nil {
		return ""
	}
	return originOf(v.Logo)
}

// consentView is consent.html's: what an app asks for, to allow or not.
type consentView struct {
	layout
	// ID is the request's.
	ID string
	// Receives are the scopes asked for, in words.
	Receives []string
}

// Continue shows what an app's sign-in request needs next, or completes
// it and sends the browser to the app.
func (p *Pages) Continue(w http.ResponseWriter, r *http.Request) {
	c, err := p.optionalCaller(w, r)
	var req otpd.AuthRequest
	var step otpd.AuthStep
	if err == nil {
		req, step, err = p.Engine.Authorization(r.Context(), c, r.PathValue("authz_id"))
	}
	if err != nil {
		p.showError(w, r, "title.app_sign_in", err)
		return
	}
	rt := p.continueReturn(r.Context(), req)
	switch step.Next {
	case otpd.AuthSignIn:
		l := p.newLayout("title.app_sign_in_to").returning(rt)
		l.TitleApp = rt.app.Name
		p.render(w, r, http.StatusOK, "signin.html", &signInView{layout: l, Email: req.LoginHint})
	case otpd.AuthConfirm:
		p.renderStepUp(w, r, c, rt.target, nil)
	case otpd.AuthConsent:
		p.render(w, r, http.StatusOK, "consent.html", p.consentView(c, req, rt))
	case otpd.AuthRefuse:
		p.provider.Refuse(w, r, req, step.Refusal)
	default:
		p.issue(w, r, c, req.ID, false)
	}
}

func (p *Pages) consentView(c signin.Caller, req otpd.AuthRequest, rt returnTo) *consentView {
	v := &consentView{layout: p.accountLayout("title.allow_app_short", c.Account()).returning(rt), ID: req.ID}
	v.TitleApp = rt.app.Name
	for _, s := range req.Scopes {
		if key, ok := scopeWords[s]; ok {
			v.Receives = append(v.Receives, key)
		}
	}
	return v
}

// scopeWords are the catalogue's keys of what an app receives with each
// scope.
var scopeWords = map[string]string{
	otpd.ScopeOpenID:        "scope.openid",
	otpd.ScopeEmail:         "scope.email",
	otpd.ScopeOfflineAccess: "scope.offline_access",
}

// Consent answers the consent page: Allow completes the request, Cancel
// tells the app that the person said no.
func (p *Pages) Consent(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("authz_id")
	switch r.PostFormValue("decision") {
	case "deny":
		// Anyone holding the request may refuse it: it gives nobody
		// anything.
		req, err := p.Engine.DenyAuthorization(r.Context(), id)
		if err != nil {
			p.showError(w, r, "title.app_sign_in", err)
			return
		}
		p.provider.Refuse(w, r, req, otpd.RefuseAccessDenied)
	case "allow":
		c, err := p.optionalCaller(w, r)
		switch {
		case err != nil:
			p.showError(w, r, "title.app_sign_in", err)
		case c.Account().ID == "":
			// Signed out meanwhile: the continue page asks again.
			http.Redirect(w, r, continuePrefix+id, http.StatusSeeOther)
		default:
			p.issue(w, r, c, id, true)
		}
	default:
		p.showError(w, r, "title.app_sign_in", otpd.FieldError("decision", "choose Allow or Cancel"))
	}
}

// issue completes request id for the caller and sends the browser on to
// the app; a request that needs another step goes back to its page.
func (p *Pages) issue(w http.ResponseWriter, r *http.Request, c signin.Caller, id string, consent bool) {
	req, err := p.Engine.Authorize(r.Context(), c, id, consent, p.Requester(r))
	switch {
	case otpd.ErrorCode(err) == otpd.EStepUpRequired:
		http.Redirect(w, r, continuePrefix+id, http.StatusSeeOther)
	case err != nil:
		p.showError(w, r, "title.app_sign_in", err)
	default:
		http.Redirect(w, r, p.provider.CallbackURL(r.Context(), req.ID), http.StatusSeeOther)
	}
}

// Callback guards the provider's callback (next), which gives the app
// its code: it answers only the browser whose session completed the
// request, which it reaches by the continue page's or the consent's
// same-site redirect, carrying the session cookie. Any other browser
// gets the error page, never a redirect, and no code is made.
func (p *Pages) Callback(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.URL.Query().Get("id")
		if !edge.PlausibleID(id) {
			p.NotFound(w, r, "id")
			return
		}
		c, err := p.optionalCaller(w, r)
		if err == nil {
			err = p.Engine.CallbackAllowed(r.Context(), c, id)
		}
		// Another browser or session: 403, not the 401 of a bad token.
		if e := (*otpd.Error)(nil); errors.As(err, &e) && e.Code == otpd.EUnauthorized {
			err = &otpd.Error{Code: edge.EForbidden, Message: e.Message}
		}
		if err != nil {
			p.showError(w, r, "title.app_sign_in", err)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// optionalCaller authenticates the session cookie when there is one: the
// zero Caller when nobody is signed in (a session that no longer works
// is cleared).
func (p *Pages) optionalCaller(w http.ResponseWriter, r *http.Request) (signin.Caller, error) {
	token := edge.SessionToken(r)
	if token == "" {
		return signin.Caller{}, nil
	}
	c, err := p.Authenticate(r.Context(), token)
	if otpd.ErrorCode(err) == otpd.EUnauthorized {
		p.ClearSessionCookie(w)
		return signin.Caller{}, nil
	}
	return c, err
}
