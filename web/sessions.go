package web

import (
	"net/http"
	"net/url"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/useragent"
)

// The owner sees every browser and app signed in to the account, and
// signs out one they do not know. That only takes access away, so it
// needs no step-up; signing out all others at once does (settings.go).

// sessionView is a session as the sessions page shows it.
type sessionView struct {
	ID         string
	Device     string
	Place      string
	IP         string
	CreatedAt  time.Time
	LastSeenAt time.Time
	// Current is the session the page is shown in.
	Current bool
	// Remembered: it started on one of the account's remembered devices.
	Remembered bool
}

func sessionViews(ss []otpd.Session, current string) []sessionView {
	out := make([]sessionView, len(ss))
	for i, x := range ss {
		out[i] = sessionView{ID: x.ID, Device: useragent.Name(x.UserAgent), Place: x.Place, IP: x.IP,
			CreatedAt: x.CreatedAt, LastSeenAt: x.LastSeenAt, Current: x.ID == current, Remembered: x.DeviceID != ""}
	}
	return out
}

func (s *Server) pageSessions(w http.ResponseWriter, r *http.Request) {
	c, ok := s.pageCaller(w, r)
	if !ok {
		return
	}
	p := s.accountPage("Sessions", c)
	ss, current, err := s.engine.Sessions(r.Context(), c.Caller)
	if err != nil {
		s.renderError(w, r, "error.html", p, err)
		return
	}
	p.Sessions = sessionViews(ss, current)
	p.Notice = doneNotices[r.URL.Query().Get("done")]
	s.render(w, r, http.StatusOK, "sessions.html", p)
}

// pageEndSession signs out one session. Ending the page's own is signing
// out, and leads to the start page.
func (s *Server) pageEndSession(w http.ResponseWriter, r *http.Request) {
	c, ok := s.pageCaller(w, r)
	if !ok {
		return
	}
	id := r.PathValue("session_id")
	if err := s.engine.EndSession(r.Context(), c.Caller, id, s.requester(r)); err != nil {
		s.renderError(w, r, "error.html", s.accountPage("The session was not signed out", c), err)
		return
	}
	if id == c.session.ID {
		clearSessionCookie(w)
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/account/sessions?"+url.Values{"done": {"session-ended"}}.Encode(), http.StatusSeeOther)
}

type sessionJSON struct {
	ID         string    `json:"id"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	IP         string    `json:"ip"`
	Place      string    `json:"place"`
	UserAgent  string    `json:"user_agent"`
	Device     string    `json:"device"`
	Current    bool      `json:"current"`
}

func (s *Server) apiSessions(w http.ResponseWriter, r *http.Request) error {
	c, err := s.apiCaller(r)
	if err != nil {
		return err
	}
	ss, current, err := s.engine.Sessions(r.Context(), c.Caller)
	if err != nil {
		return err
	}
	out := make([]sessionJSON, len(ss))
	for i, x := range ss {
		out[i] = sessionJSON{ID: x.ID, CreatedAt: x.CreatedAt, LastSeenAt: x.LastSeenAt, IP: x.IP, Place: x.Place,
			UserAgent: x.UserAgent, Device: useragent.Name(x.UserAgent), Current: x.ID == current}
	}
	writeJSON(w, http.StatusOK, struct {
		Sessions []sessionJSON `json:"sessions"`
	}{out})
	return nil
}

func (s *Server) apiEndSession(w http.ResponseWriter, r *http.Request) error {
	c, err := s.apiCaller(r)
	if err != nil {
		return err
	}
	if err := s.engine.EndSession(r.Context(), c.Caller, r.PathValue("session_id"), s.requester(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
