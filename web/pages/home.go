package pages

import (
	"net/http"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/signin"
	"github.com/otpd/otpd/web/activity"
	"github.com/otpd/otpd/web/edge"
)

// homeEvents is how many events the home page reads, and homeEntries
// how many entries it shows of them; the activity page has the rest.
const (
	homeEvents  = 50
	homeEntries = 5
)

// homeView is home.html's: the signed-in account at a glance.
type homeView struct {
	layout
	// UnderAttack: codes for the account are being asked for from many
	// places right now.
	UnderAttack bool
	// Unused is the banner about codes the owner did not use; nil when
	// there were none.
	Unused  *activity.UnusedNotice
	Recent  []activity.Entry
	Devices []deviceView
	// SessionCount is how many sessions the account has, for the link
	// to them.
	SessionCount int
}

// Home is the start page: the sign-in form, or the signed-in account.
func (p *Pages) Home(w http.ResponseWriter, r *http.Request) {
	token := edge.SessionToken(r)
	if token == "" {
		p.render(w, r, http.StatusOK, "signin.html", &signInView{layout: p.returning(r, p.newLayout("title.sign_in"))})
		return
	}
	c, err := p.Authenticate(r.Context(), token)
	if otpd.ErrorCode(err) == otpd.EUnauthorized {
		p.ClearSessionCookie(w)
		v := &signInView{layout: p.returning(r, p.newLayout("title.sign_in"))}
		v.Notice = "notice.session_over"
		p.render(w, r, http.StatusOK, "signin.html", v)
		return
	}
	if rt := p.checkReturn(r.Context(), r.URL.Query().Get("return")); err == nil && (rt.origin != "" || continuePath.MatchString(rt.target)) {
		// Signed in already: straight back to the app that sent the
		// browser here.
		http.Redirect(w, r, rt.target, http.StatusSeeOther)
		return
	}
	var v *homeView
	if err == nil {
		v, err = p.loadHome(r, c)
	}
	if err != nil {
		p.showError(w, r, "title.account", err)
		return
	}
	v.Notice = doneNotices[r.URL.Query().Get("done")]
	p.render(w, r, http.StatusOK, "home.html", v)
}

// loadHome reads the signed-in home page: the account, the codes it did
// not use, its recent activity, its sessions and remembered devices.
func (p *Pages) loadHome(r *http.Request, c signin.Caller) (*homeView, error) {
	ctx := r.Context()
	unused, err := p.Engine.UnusedCodes(ctx, c)
	if err != nil {
		return nil, err
	}
	es, err := p.entries(r, c, homeEvents)
	if err != nil {
		return nil, err
	}
	ss, _, err := p.Engine.Sessions(ctx, c)
	if err != nil {
		return nil, err
	}
	ds, err := p.Engine.Devices(ctx, c)
	if err != nil {
		return nil, err
	}
	acct := c.Account()
	return &homeView{layout: p.accountLayout("title.account", acct),
		UnderAttack: acct.UnderAttackAt(p.Clock.Now()),
		Unused:      activity.NewUnusedNotice(p.lang(r, acct), unused), Recent: es[:min(len(es), homeEntries)],
		Devices: deviceViews(ds, c.Session().DeviceID), SessionCount: len(ss)}, nil
}

// doneNotices are what a page says after a change made on another; the
// URL names one by key, so that a link cannot put words of its own
// on the page.
var doneNotices = map[string]string{
	"password-set":     "notice.password_set",
	"password-removed": "notice.password_removed",
	"reset":            "notice.reset",
	"device-forgotten": "notice.device_forgotten",

	"signed-out-everywhere": "notice.signed_out_everywhere",
	"code-sign-in-off":      "notice.code_sign_in_off",
	"code-sign-in-on":       "notice.code_sign_in_on",
	"email-changed":         "notice.email_changed",
	"recovery-added":        "notice.recovery_added",
	"recovery-removed":      "notice.recovery_removed",
	"app-removed":           "notice.app_removed",
	"session-ended":         "notice.session_ended",
	"language-set":          "notice.language_set",
}
