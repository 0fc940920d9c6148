package web

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/otpd/otpd"
)

func (s *Server) pageMailbox(w http.ResponseWriter, r *http.Request) {
	p := s.newPage("Dev mailbox")
	p.Email = r.URL.Query().Get("to")
	msgs, err := s.mailbox.Messages(r.Context(), p.Email, 0)
	if err != nil {
		s.renderError(w, r, "error.html", p, err)
		return
	}
	p.Messages = msgs
	s.render(w, r, http.StatusOK, "mailbox.html", p)
}

// rawMessage serves a kept message as the .eml file it would have been,
// DKIM signature included, for mail clients and verifiers.
func (s *Server) rawMessage(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("id")
	raw, err := []byte(nil), otpd.ErrNotFound
	if plausibleID(id) {
		raw, err = s.mailbox.Raw(r.Context(), id)
	}
	if errors.Is(err, otpd.ErrNotFound) {
		err = &otpd.Error{Code: otpd.ENotFound, Field: "id", Message: "the dev mailbox has no such message"}
	}
	if err != nil {
		s.renderError(w, r, "error.html", s.newPage("Message not found"), err)
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
	limit := 0
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return otpd.FieldError("limit", "limit must be a whole number of messages, at least 1")
		}
		limit = n
	}
	msgs, err := s.mailbox.Messages(r.Context(), r.URL.Query().Get("to"), limit)
	if err != nil {
		return err
	}
	out := make([]mailJSON, len(msgs))
	for i, m := range msgs {
		out[i] = mailJSON{ID: m.MessageID, To: m.To.String(), Subject: m.Subject, Text: m.Text, At: m.Date}
	}
	writeJSON(w, http.StatusOK, struct {
		Messages []mailJSON `json:"messages"`
	}{out})
	return nil
}
