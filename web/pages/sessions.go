package pages

import (
	"net/http"
	"net/url"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/catalog"
	"github.com/otpd/otpd/useragent"
)

// The owner sees every browser and app signed in to the account, and
// signs out one they do not know. That only takes access away, so it
// needs no step-up; signing out all others at once does (settings.go).

// sessionView is a session as the sessions page shows it.
type sessionView struct {
	ID         string
	Device     string
	Place      string
	IP         string
	CreatedAt  time.Time
	LastSeenAt time.Time
	// Current is the session the page is shown in.
	Current bool
	// Remembered: it started on one of the account's remembered devices.
	Remembered bool
}

func sessionViews(l catalog.Lang, ss []otpd.Session, current string) []sessionView {
	out := make([]sessionView, len(ss))
	for i, x := range ss {
		out[i] = sessionView{ID: x.ID, Device: deviceName(l, x.UserAgent), Place: x.Place, IP: x.IP,
			CreatedAt: x.CreatedAt, LastSeenAt: x.LastSeenAt, Current: x.ID == current, Remembered: x.DeviceID != ""}
	}
	return out
}

// sessionsView is sessions.html's: the account's sessions.
type sessionsView struct {
	layout
	Sessions []sessionView
}

// Sessions lists the account's sessions.
func (p *Pages) Sessions(w http.ResponseWriter, r *http.Request) {
	c, ok := p.pageCaller(w, r)
	if !ok {
		return
	}
	v := &sessionsView{layout: p.accountLayout("title.sessions", c.Account())}
	ss, current, err := p.Engine.Sessions(r.Context(), c)
	if err != nil {
		p.renderError(w, r, "error.html", &v.layout, err)
		return
	}
	v.Sessions = sessionViews(p.lang(r, c.Account()), ss, current)
	v.Notice = doneNotices[r.URL.Query().Get("done")]
	p.render(w, r, http.StatusOK, "sessions.html", v)
}

// EndSession signs out one session. Ending the page's own is signing
// out, and leads to the start page.
func (p *Pages) EndSession(w http.ResponseWriter, r *http.Request) {
	c, ok := p.pageCaller(w, r)
	if !ok {
		return
	}
	id := r.PathValue("session_id")
	if err := p.Engine.EndSession(r.Context(), c, id, p.Requester(r)); err != nil {
		l := p.accountLayout("title.session_not_ended", c.Account())
		p.renderError(w, r, "error.html", &l, err)
		return
	}
	if id == c.Session().ID {
		p.ClearSessionCookie(w)
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/account/sessions?"+url.Values{"done": {"session-ended"}}.Encode(), http.StatusSeeOther)
}

// deviceName names the device a User-Agent describes, in l: "Firefox on
// Linux", "a browser on Linux", "an unknown browser".
func deviceName(l catalog.Lang, ua string) string {
	browser, os := useragent.Parse(ua)
	switch {
	case browser != "" && os != "":
		return l.T("device.both", "Browser", browser, "System", os)
	case browser != "":
		return browser
	case os != "":
		return l.T("device.system", "System", os)
	}
	return l.T("device.unknown")
}
