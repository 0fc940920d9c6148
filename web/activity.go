package web

import (
	"context"
	"net/http"
	"time"

	"github.com/otpd/otpd"
)

// activityPageEvents is how many events the activity page reads: months
// of an ordinary account, and enough that a campaign folds into one
// entry rather than pushing everything else off the page.
const activityPageEvents = 500

// day is one day of the activity page, in UTC.
type day struct {
	Date    time.Time
	Entries []entry
}

func (s *Server) pageActivity(w http.ResponseWriter, r *http.Request) {
	c, ok := s.pageCaller(w, r)
	if !ok {
		return
	}
	p := s.accountPage("Activity", c)
	kind, err := parseKind(r.URL.Query()["kind"])
	if err != nil {
		p.Title = "There is no such filter"
		s.renderError(w, r, "error.html", p, err)
		return
	}
	es, err := s.entries(r.Context(), c, activityPageEvents)
	if err != nil {
		s.renderError(w, r, "error.html", p, err)
		return
	}
	p.Kind, p.Kinds, p.Days = kind, activityKinds, byDay(ofKind(es, kind))
	s.render(w, r, http.StatusOK, "activity.html", p)
}

// entries reads the caller's newest events and campaigns as entries.
func (s *Server) entries(ctx context.Context, c caller, limit int) ([]entry, error) {
	evs, err := s.engine.Activity(ctx, c.Caller, limit)
	if err != nil {
		return nil, err
	}
	cs, err := s.engine.Campaigns(ctx, c.Caller)
	if err != nil {
		return nil, err
	}
	pol := s.engine.Policy()
	h := history{events: evs, campaigns: cs, now: s.clock.Now(), lifetime: pol.CodeLifetime,
		maxAttempts: pol.MaxAttempts, currentFlow: c.session.FlowID}
	return h.entries(), nil
}

func ofKind(es []entry, kind string) []entry {
	if kind == "" {
		return es
	}
	var out []entry
	for _, e := range es {
		if e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

// byDay groups entries, newest first, by their UTC day.
func byDay(es []entry) []day {
	var out []day
	for _, e := range es {
		at := e.sortAt().UTC()
		date := time.Date(at.Year(), at.Month(), at.Day(), 0, 0, 0, 0, time.UTC)
		if len(out) == 0 || !out[len(out)-1].Date.Equal(date) {
			out = append(out, day{Date: date})
		}
		last := &out[len(out)-1]
		last.Entries = append(last.Entries, e)
	}
	return out
}

// activityLimit is how many events one activity answer holds.
const activityLimit = 100

type eventJSON struct {
	Type      otpd.EventType `json:"type"`
	Kind      string         `json:"kind"`
	At        time.Time      `json:"at"`
	FlowID    string         `json:"flow_id,omitempty"`
	IP        string         `json:"ip"`
	Place     string         `json:"place"`
	UserAgent string         `json:"user_agent"`
	Detail    string         `json:"detail"`
}

// apiActivity answers the newest events, of one kind when asked. The
// kind filters those newest events; it does not reach further back.
func (s *Server) apiActivity(w http.ResponseWriter, r *http.Request) error {
	c, err := s.apiCaller(r)
	if err != nil {
		return err
	}
	kind, err := parseKind(r.URL.Query()["kind"])
	if err != nil {
		return err
	}
	evs, err := s.engine.Activity(r.Context(), c.Caller, activityLimit)
	if err != nil {
		return err
	}
	out := []eventJSON{}
	for _, e := range evs {
		if k := eventKinds[e.Type]; kind == "" || k == kind {
			out = append(out, eventJSON{Type: e.Type, Kind: k, At: e.At, FlowID: e.FlowID, IP: e.IP, Place: e.Place,
				UserAgent: e.UserAgent, Detail: detail(e)})
		}
	}
	writeJSON(w, http.StatusOK, struct {
		Events []eventJSON `json:"events"`
	}{out})
	return nil
}

type campaignJSON struct {
	StartedAt time.Time `json:"started_at"`
	LastAt    time.Time `json:"last_at"`
	Until     time.Time `json:"until"`
	Requests  int       `json:"requests"`
	Places    []string  `json:"places"`
}

func (s *Server) apiCampaigns(w http.ResponseWriter, r *http.Request) error {
	c, err := s.apiCaller(r)
	if err != nil {
		return err
	}
	cs, err := s.engine.Campaigns(r.Context(), c.Caller)
	if err != nil {
		return err
	}
	out := make([]campaignJSON, len(cs))
	for i, x := range cs {
		out[i] = campaignJSON{StartedAt: x.StartedAt, LastAt: x.LastAt, Until: x.Until, Requests: x.Requests,
			Places: append([]string{}, x.Places...)}
	}
	writeJSON(w, http.StatusOK, struct {
		Campaigns []campaignJSON `json:"campaigns"`
	}{out})
	return nil
}
