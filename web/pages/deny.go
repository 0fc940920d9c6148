package pages

import (
	"net/http"

	"github.com/otpd/otpd"
)

// A "This wasn't me" link reports a code its address did not ask for. In
// the notice to the old address after a change of sign-in address, the
// same link undoes the change: its code was used to confirm the new one.

// undoes reports whether the link of ch undoes a change of address.
func undoes(ch otpd.Challenge) bool {
	return ch.Purpose == otpd.PurposeChangeEmail && ch.Status == otpd.StatusUsed
}

// denyView is deny.html's: what a link is about, before the click.
type denyView struct {
	layout
	Token     string
	Challenge otpd.Challenge
	// Undo marks a link that undoes a change of address.
	Undo bool
}

// deniedView is denied.html's: what the click did.
type deniedView struct {
	layout
	Challenge otpd.Challenge
	// Undo marks a link that undid, or tried to undo, a change of
	// address.
	Undo bool
	// Closed: the code had been used before the report.
	Closed bool
}

// DenyConfirm shows what a "This wasn't me" link is about and asks for a
// click. A GET changes nothing: mail scanners open links.
func (p *Pages) DenyConfirm(w http.ResponseWriter, r *http.Request) {
	v := &denyView{layout: p.newLayout("title.deny"), Token: r.PathValue("token")}
	ch, err := p.Engine.DenyTarget(r.Context(), v.Token)
	if err != nil {
		v.Title = "title.link_invalid"
		p.renderError(w, r, "error.html", &v.layout, err)
		return
	}
	v.Challenge, v.Undo = ch, undoes(ch)
	if v.Undo {
		v.Title = "title.undo_change"
	}
	p.render(w, r, http.StatusOK, "deny.html", v)
}

// Deny reports the link's code, or undoes the change of address.
func (p *Pages) Deny(w http.ResponseWriter, r *http.Request) {
	v := &deniedView{layout: p.newLayout("title.thanks_report")}
	ch, err := p.Engine.Deny(r.Context(), r.PathValue("token"), p.Requester(r))
	v.Challenge, v.Undo = ch, undoes(ch)
	switch {
	case err != nil && v.Undo:
		// The report is recorded, but the account stays where it is:
		// the page says why, and what the owner can still do.
		v.Title = "title.not_undone"
		p.renderError(w, r, "denied.html", v, err)
	case err != nil:
		v.Title = "title.link_invalid"
		p.renderError(w, r, "error.html", &v.layout, err)
	default:
		if v.Undo {
			v.Title = "title.undone"
		}
		v.Closed = ch.Status == otpd.StatusUsed
		p.render(w, r, http.StatusOK, "denied.html", v)
	}
}
