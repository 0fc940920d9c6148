package web

import (
	"net/http"
	"time"
)

func (s *Server) pageMailbox(w http.ResponseWriter, r *http.Request) {
	p := s.newPage("Dev mailbox")
	p.Email = r.URL.Query().Get("to")
	p.Messages = s.mailbox.Messages(p.Email)
	s.render(w, r, http.StatusOK, "mailbox.html", p)
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
