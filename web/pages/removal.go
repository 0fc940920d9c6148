package pages

import (
	"context"
	"net/http"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/signin"
)

// Removal is a page that takes something away from the account (its
// password, its recovery address) after a step-up: a GET asks and
// changes nothing, a POST removes.
type Removal struct {
	path, template, title, done string
	// has reports whether the account has the thing; without it the
	// page sends the person home.
	has    func(otpd.Account) bool
	remove func(e *signin.Engine, ctx context.Context, c signin.Caller, r signin.Requester) error
}

// The removals, for the routes.
var (
	RemovePassword = Removal{path: "/account/password/remove", template: "remove_password.html",
		title: "title.remove_password", done: "/?done=password-removed",
		has:    otpd.Account.HasPassword,
		remove: (*signin.Engine).RemovePassword}
	RemoveRecovery = Removal{path: "/account/recovery/remove", template: "remove_recovery.html",
		title: "title.remove_recovery", done: "/?done=recovery-removed",
		has:    func(a otpd.Account) bool { return !a.RecoveryEmail.IsZero() },
		remove: (*signin.Engine).RemoveRecovery}
)

// RemoveConfirm returns the handler that asks before removal rm.
func (p *Pages) RemoveConfirm(rm Removal) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, ok := p.pageCaller(w, r)
		if !ok {
			return
		}
		switch {
		case !rm.has(c.Account()):
			http.Redirect(w, r, "/", http.StatusSeeOther)
		case !p.steppedUp(c):
			p.renderStepUp(w, r, c, rm.path, nil)
		default:
			l := p.accountLayout(rm.title, c.Account())
			p.render(w, r, http.StatusOK, rm.template, &l)
		}
	}
}

// Remove returns the handler that makes removal rm.
func (p *Pages) Remove(rm Removal) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, ok := p.pageCaller(w, r)
		if !ok {
			return
		}
		err := rm.remove(p.Engine, r.Context(), c, p.Requester(r))
		l := p.accountLayout(rm.title, c.Account())
		p.finishChange(w, r, c, err, rm.done, rm.path, rm.template, &l)
	}
}
