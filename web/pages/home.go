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
		p.render(w, r, http.StatusOK, "signin.html", &signInView{layout: p.returning(r, p.newLayout("Sign in"))})
		return
	}
	c, err := p.Authenticate(r.Context(), token)
	if otpd.ErrorCode(err) == otpd.EUnauthorized {
		p.ClearSessionCookie(w)
		v := &signInView{layout: p.returning(r, p.newLayout("Sign in"))}
		v.Notice = "Your session has ended. Sign in again."
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
		p.showError(w, r, "Your account", err)
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
	es, err := p.entries(ctx, c, homeEvents)
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
	return &homeView{layout: p.accountLayout("Your account", acct),
		UnderAttack: acct.UnderAttackAt(p.Clock.Now()),
		Unused:      activity.NewUnusedNotice(unused), Recent: es[:min(len(es), homeEntries)],
		Devices: deviceViews(ds, c.Session().DeviceID), SessionCount: len(ss)}, nil
}

// doneNotices are what a page says after a change made on another; the
// URL names one by key, so that a link cannot put words of its own
// on the page.
var doneNotices = map[string]string{
	"password-set":     "Your password is set. On a remembered device it signs you in on its own; anywhere else you also need a code.",
	"password-removed": "Your password is removed. You sign in with a code sent to your address.",
	"reset":            "Your new password is set, and every other session was signed out.",
	"device-forgotten": "The device is forgotten. A password alone no longer signs in there; a code is needed as well.",

	"signed-out-everywhere": "Every other session of your account is signed out; this one stays.",
	"code-sign-in-off":      "Code-only sign-in is off. You sign in with your password and a code; codes asked for without your password are not sent.",
	"code-sign-in-on":       "Code-only sign-in is on again: a code sent to your address signs you in.",
	"email-changed":         "Your sign-in address is changed. We told your old address, with a link that undoes the change for 7 days.",
	"recovery-added":        "Your recovery address is added. If you cannot read your sign-in address, a sign-in or reset code can be sent there instead.",
	"recovery-removed":      "Your recovery address is removed. Codes go only to your sign-in address.",
	"app-removed":           "The app's access is removed: it is signed out of your account, and must ask you again.",
	"session-ended":         "The session is signed out. If you did not know it, change your password too.",
}
