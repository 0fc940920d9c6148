package web

import (
	"context"
	"net/http"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/signin"
)

// removal is a page that takes something away from the account (its
// password, its recovery address) after a step-up: a GET asks and
// changes nothing, a POST removes.
type removal struct {
	path, template, title, done string
	// has reports whether the account has the thing; without it the
	// page sends the person home.
	has    func(otpd.Account) bool
	remove func(s *Server, ctx context.Context, c signin.Caller, r signin.Requester) error
}

var (
	removePassword = removal{path: "/account/password/remove", template: "remove_password.html",
		title: "Remove your password", done: "/?done=password-removed",
		has: otpd.Account.HasPassword,
		remove: func(s *Server, ctx context.Context, c signin.Caller, r signin.Requester) error {
			return s.engine.RemovePassword(ctx, c, r)
		}}
	removeRecovery = removal{path: "/account/recovery/remove", template: "remove_recovery.html",
		title: "Remove your recovery address", done: "/?done=recovery-removed",
		has: func(a otpd.Account) bool { return !a.RecoveryEmail.IsZero() },
		remove: func(s *Server, ctx context.Context, c signin.Caller, r signin.Requester) error {
			return s.engine.RemoveRecovery(ctx, c, r)
		}}
)

func (s *Server) pageRemoveConfirm(rm removal) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, ok := s.pageCaller(w, r)
		if !ok {
			return
		}
		switch {
		case !rm.has(c.account):
			http.Redirect(w, r, "/", http.StatusSeeOther)
		case !s.steppedUp(c):
			s.renderStepUp(w, r, c, rm.path, nil)
		default:
			s.render(w, r, http.StatusOK, rm.template, s.accountPage(rm.title, c))
		}
	}
}

func (s *Server) pageRemove(rm removal) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, ok := s.pageCaller(w, r)
		if !ok {
			return
		}
		err := rm.remove(s, r.Context(), c.Caller, s.requester(r))
		s.finishChange(w, r, c, err, rm.done, rm.path, rm.template, s.accountPage(rm.title, c))
	}
}
