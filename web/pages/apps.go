package pages

import (
	"net/http"
	"net/url"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/signin"
)

// App permissions: every app the account let sign it in, what it may
// have, and Remove access, which ends every token the app holds for the
// account. Removing only takes access away, so it needs no step-up.

// appAccessView is an app with access as the permissions page shows it.
type appAccessView struct {
	ClientID  string
	App       *appView
	Receives  []string
	GrantedAt time.Time
	// LastUsedAt is zero when the app never used its access since.
	LastUsedAt time.Time
}

func appAccessViews(as []signin.AppAccess) []appAccessView {
	out := make([]appAccessView, len(as))
	for i, a := range as {
		v := appAccessView{ClientID: a.App.ID, App: newAppView(a.App), GrantedAt: a.Grant.GrantedAt, LastUsedAt: a.Grant.LastUsedAt}
		for _, s := range a.Grant.Scopes {
			if key, ok := scopeWords[s]; ok {
				v.Receives = append(v.Receives, key)
			}
		}
		out[i] = v
	}
	return out
}

// appsView is apps.html's: the apps with access to the account.
type appsView struct {
	layout
	Apps []appAccessView
}

// Apps lists the apps with access to the account.
func (p *Pages) Apps(w http.ResponseWriter, r *http.Request) {
	c, ok := p.pageCaller(w, r)
	if !ok {
		return
	}
	v := &appsView{layout: p.accountLayout("title.apps", c.Account())}
	as, err := p.Engine.Apps(r.Context(), c)
	if err != nil {
		p.renderError(w, r, "error.html", &v.layout, err)
		return
	}
	v.Apps = appAccessViews(as)
	v.Notice = doneNotices[r.URL.Query().Get("done")]
	p.render(w, r, http.StatusOK, "apps.html", v)
}

// removeAppView is remove_app.html's: the question before Remove access.
type removeAppView struct {
	layout
	App appAccessView
}

// RemoveAppConfirm asks before removing an app's access.
func (p *Pages) RemoveAppConfirm(w http.ResponseWriter, r *http.Request) {
	c, ok := p.pageCaller(w, r)
	if !ok {
		return
	}
	l := p.accountLayout("title.remove_access", c.Account())
	as, err := p.Engine.Apps(r.Context(), c)
	if err != nil {
		p.renderError(w, r, "error.html", &l, err)
		return
	}
	for _, v := range appAccessViews(as) {
		if v.ClientID == r.PathValue("client_id") {
			p.render(w, r, http.StatusOK, "remove_app.html", &removeAppView{layout: l, App: v})
			return
		}
	}
	p.renderError(w, r, "error.html", &l, &otpd.Error{Code: otpd.ENotFound, Field: "client_id", Message: "this app has no access to your account"})
}

// RemoveApp removes an app's access, and with it every token it holds.
func (p *Pages) RemoveApp(w http.ResponseWriter, r *http.Request) {
	c, ok := p.pageCaller(w, r)
	if !ok {
		return
	}
	if err := p.Engine.RemoveApp(r.Context(), c, r.PathValue("client_id"), p.Requester(r)); err != nil {
		l := p.accountLayout("title.access_not_removed", c.Account())
		p.renderError(w, r, "error.html", &l, err)
		return
	}
	http.Redirect(w, r, "/account/apps?"+url.Values{"done": {"app-removed"}}.Encode(), http.StatusSeeOther)
}
