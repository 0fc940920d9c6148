package api

import (
	"net/http"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/web/activity"
	"github.com/otpd/otpd/web/edge"
)

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
func (h *Handlers) Activity(w http.ResponseWriter, r *http.Request) error {
	c, err := h.BearerCaller(r)
	if err != nil {
		return err
	}
	kind, err := activity.ParseKind(r.URL.Query()["kind"])
	if err != nil {
		return err
	}
	evs, err := h.Engine.Activity(r.Context(), c, activityLimit)
	if err != nil {
		return err
	}
	lang := h.Lang(r, c.Account())
	out := []eventJSON{}
	for _, e := range evs {
		if k := activity.KindOf(e.Type); kind == "" || k == kind {
			out = append(out, eventJSON{Type: e.Type, Kind: k, At: e.At, FlowID: e.FlowID, IP: e.IP, Place: e.Place,
				UserAgent: e.UserAgent, Detail: activity.Detail(lang, e)})
		}
	}
	edge.WriteJSON(w, http.StatusOK, struct {
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

// Campaigns answers GET /api/v1/me/campaigns.
func (h *Handlers) Campaigns(w http.ResponseWriter, r *http.Request) error {
	c, err := h.BearerCaller(r)
	if err != nil {
		return err
	}
	cs, err := h.Engine.Campaigns(r.Context(), c)
	if err != nil {
		return err
	}
	out := make([]campaignJSON, len(cs))
	for i, x := range cs {
		out[i] = campaignJSON{StartedAt: x.StartedAt, LastAt: x.LastAt, Until: x.Until, Requests: x.Requests,
			Places: append([]string{}, x.Places...)}
	}
	edge.WriteJSON(w, http.StatusOK, struct {
		Campaigns []campaignJSON `json:"campaigns"`
	}{out})
	return nil
}

type unusedCodeJSON struct {
	At        time.Time            `json:"at"`
	Purpose   otpd.Purpose         `json:"purpose"`
	Status    otpd.ChallengeStatus `json:"status"`
	IP        string               `json:"ip"`
	Place     string               `json:"place"`
	UserAgent string               `json:"user_agent"`
}

// UnusedCodes lists the codes asked for since the last sign-in that the
// owner did not use: GET /api/v1/me/unused-codes. A code the owner did
// not use is evidence that someone else typed their address into a
// sign-in form.
func (h *Handlers) UnusedCodes(w http.ResponseWriter, r *http.Request) error {
	c, err := h.BearerCaller(r)
	if err != nil {
		return err
	}
	cs, err := h.Engine.UnusedCodes(r.Context(), c)
	if err != nil {
		return err
	}
	out := make([]unusedCodeJSON, len(cs))
	for i, x := range cs {
		out[i] = unusedCodeJSON{At: x.At, Purpose: x.Purpose, Status: x.Status, IP: x.IP, Place: x.Place, UserAgent: x.UserAgent}
	}
	edge.WriteJSON(w, http.StatusOK, struct {
		Codes []unusedCodeJSON `json:"codes"`
	}{out})
	return nil
}
