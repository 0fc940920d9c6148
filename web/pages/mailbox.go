package pages

import (
	"errors"
	"net/http"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/web/edge"
)

// mailboxView is mailbox.html's: the messages the dev mailbox kept.
type mailboxView struct {
	layout
	// Email is the address shown, "" for all.
	Email    string
	Messages []otpd.Email
}

// Mailbox shows the dev mailbox, for one address when the URL asks.
func (p *Pages) Mailbox(w http.ResponseWriter, r *http.Request) {
	v := &mailboxView{layout: p.newLayout("title.dev_mailbox"), Email: r.URL.Query().Get("to")}
	msgs, err := p.mailbox.Messages(r.Context(), v.Email, 0)
	if err != nil {
		p.renderError(w, r, "error.html", &v.layout, err)
		return
	}
	v.Messages = msgs
	p.render(w, r, http.StatusOK, "mailbox.html", v)
}

// RawMessage serves a kept message as the .eml file it would have been,
// DKIM signature included, for mail clients and verifiers.
func (p *Pages) RawMessage(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("id")
	raw, err := []byte(nil), otpd.ErrNotFound
	if edge.PlausibleID(id) {
		raw, err = p.mailbox.Raw(r.Context(), id)
	}
	if errors.Is(err, otpd.ErrNotFound) {
		err = &otpd.Error{Code: otpd.ENotFound, Field: "id", Message: "the dev mailbox has no such message"}
	}
	if err != nil {
		p.showError(w, r, "title.message_not_found", err)
		return
	}
	w.Header().Set("Content-Type", "message/rfc822")
	w.Header().Set("Content-Disposition", `attachment; filename="message.eml"`)
	w.Write(raw)
}
