package web

import (
	"net/http"

	"github.com/otpd/otpd"
	"time"
)

func (s *Server) pageMailbox(w http.ResponseWriter, r *http.Request) {
	p := s.newPage("Dev mailbox")
	p.Email = r.URL.Query().Get("to")
	p.Messages = s.mailbox.Messages(p.Email)
	s.render(w, r, http.StatusOK, "mailbox.html", p)
}

// rawMessage serves a kept message as the .eml file it would have been,
// DKIM signature included, for mail clients and verifiers.
func (s *Server) rawMessage(w http.ResponseWriter, r *http.Request) {
	raw, ok := s.mailbox.Raw(r.URL.Query().Get("id"))
	if !ok {
		s.renderError(w, r, "error.html", s.newPage("Message not found"),
			&otpd.Error{Code: otpd.ENotFound, Field: "id", Message: "the dev mailbox has no such message"})
		return
	}
	w.Header().Set("Content-Type", "message/rfc822")
	w.Header().Set("Content-Disposition", `attachment; filename="message.eml"`)
	w.Write(raw)
}

type mailJSON struct {
	ID      string    `json:"id"`
	To      string    `json:"to"`
	Subject string    `json:"subject"`
	Text    string    `json:"text"`
	At      time.Time `json:"at"`
}

func (s *Server) apiMailbox(w http.ResponseWriter, r *http.Request) error {
	msgs := s.mailbox.Messages(r.URL.Query().Get("to"))
	out := make([]mailJSON, len(msgs))
	for i, m := range msgs {
		out[i] = mailJSON{ID: m.MessageID, To: m.To.String(), Subject: m.Subject, Text: m.Text, At: m.Date}
	}
	writeJSON(w, http.StatusOK, struct {
		Messages []mailJSON `json:"messages"`
	}{out})
	return nil
}
