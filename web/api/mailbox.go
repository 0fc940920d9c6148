package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/web/edge"
)

type mailJSON struct {
	ID      string    `json:"id"`
	To      string    `json:"to"`
	Subject string    `json:"subject"`
	Text    string    `json:"text"`
	At      time.Time `json:"at"`
}

// Mailbox answers GET /dev/mailbox/api/messages.
func (h *Handlers) Mailbox(w http.ResponseWriter, r *http.Request) error {
	limit := 0
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return otpd.FieldError("limit", "limit must be a whole number of messages, at least 1")
		}
		limit = n
	}
	msgs, err := h.mailbox.Messages(r.Context(), r.URL.Query().Get("to"), limit)
	if err != nil {
		return err
	}
	out := make([]mailJSON, len(msgs))
	for i, m := range msgs {
		out[i] = mailJSON{ID: m.MessageID, To: m.To.String(), Subject: m.Subject, Text: m.Text, At: m.Date}
	}
	edge.WriteJSON(w, http.StatusOK, struct {
		Messages []mailJSON `json:"messages"`
	}{out})
	return nil
}
