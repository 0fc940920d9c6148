// Package activity puts an account's history in plain words: the entries
// of the activity page (a code request folded with what became of it, a
// campaign as one entry), the filters by kind, the one table of words for
// every event, which the pages and the API's detail both read, and the
// reasons a right password needed a code. Pure functions over the
// domain's types: no HTTP here.
package activity

import (
	"slices"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/catalog"
)

// An Entry is one line of the activity page, in plain words: an event, a
// code request together with what became of it, or a whole campaign.
// The template writes "Subject from Where on Device at At. Outcome".
type Entry struct {
	Kind    string
	Subject string
	// Where is the place, or the IP when the place is unknown.
	Where  string
	Device string
	At     time.Time
	// End, when set, makes the entry a span from At to End: a campaign.
	End       time.Time
	IP        string
	UserAgent string
	// Outcome is what came of it, in whole sentences.
	Outcome string
	// Request marks a code request, which "This wasn't me" can report.
	Request bool
	// Unused marks a code that was sent and never used nor reported: the
	// owner's evidence that someone drove their address.
	Unused bool
	FlowID string
	// Reportable offers "This wasn't me" for the code request.
	Reportable bool
	// Current marks the request whose code started this session.
	Current bool
}

func (e Entry) sortAt() time.Time {
	if !e.End.IsZero() {
		return e.End
	}
	return e.At
}

// History is what the entries are made from.
type History struct {
	// Events are the account's newest, newest first.
	Events    []otpd.Event
	Campaigns []otpd.Campaign
	Now       time.Time
	// Lifetime and MaxAttempts are the policy's, to tell whether a code
	// that was never used still works.
	Lifetime    time.Duration
	MaxAttempts int
	// CurrentFlow is the flow whose code started the caller's session.
	CurrentFlow string
	// Lang is the language of the entries' words.
	Lang catalog.Lang
}

// attemptTypes are the events folded into the entry of their code request.
var attemptTypes = []otpd.EventType{otpd.EventCodeRequested, otpd.EventCodeRefused, otpd.EventCodeVerified,
	otpd.EventCodeWrong, otpd.EventCodeExpired, otpd.EventCodeExhausted, otpd.EventCodeLocked, otpd.EventCodeRejected}

// Entries turns the history into entries, newest first: a flow's attempts
// fold into its request, and the requests a campaign held back or refused
// fold into the campaign.
func (h History) Entries() []Entry {
	flows := h.flows()
	var out []Entry
	for _, c := range h.Campaigns {
		out = append(out, h.campaignEntry(c))
	}
	for _, ev := range h.Events {
		g := flows[ev.FlowID]
		switch {
		case g != nil && slices.Contains(attemptTypes, ev.Type):
			if ev.ID == g.requests[0].ID && !h.inCampaign(g) {
				out = append(out, h.flowEntry(g))
			}
		case ev.Type == otpd.EventUnderAttack && h.coveredBy(ev.At):
			// The campaign's own entry says it.
		default:
			out = append(out, words{h.Lang}.eventEntry(ev, g))
		}
	}
	slices.SortStableFunc(out, func(a, b Entry) int { return b.sortAt().Compare(a.sortAt()) })
	return out
}

// flows groups the events of each code request found among the events.
func (h History) flows() map[string]*flowGroup {
	flows := map[string]*flowGroup{}
	for _, ev := range slices.Backward(h.Events) {
		if ev.FlowID == "" {
			continue
		}
		g := flows[ev.FlowID]
		if g == nil && (ev.Type == otpd.EventCodeRequested || ev.Type == otpd.EventCodeRefused) {
			g = &flowGroup{}
			flows[ev.FlowID] = g
		}
		if g != nil {
			g.add(ev)
		}
	}
	return flows
}

// inCampaign reports whether a code request is one of those a campaign
// counts: no code went out for it, during the campaign.
func (h History) inCampaign(g *flowGroup) bool {
	return !g.codeSent() && h.coveredBy(g.requests[0].At)
}

// coveredBy reports whether a campaign was on at at. It lasts until its
// Until, not only its LastAt: a request is counted a moment before its
// event is recorded, so the last one comes after LastAt.
func (h History) coveredBy(at time.Time) bool {
	for _, c := range h.Campaigns {
		end := c.LastAt
		if c.Until.After(end) {
			end = c.Until
		}
		if !at.Before(c.StartedAt) && !at.After(end) {
			return true
		}
	}
	return false
}

// eventEntry is an event on its own line. g is the code request it is
// about, when that is among the events.
func (w words) eventEntry(ev otpd.Event, g *flowGroup) Entry {
	e := Entry{Kind: eventKinds[ev.Type], At: ev.At, IP: ev.IP, UserAgent: ev.UserAgent,
		Where: where(ev.Place, ev.IP), Device: shortDevice(ev.UserAgent), FlowID: ev.FlowID}
	e.Subject, e.Outcome = w.eventWords(ev)
	if ev.Type == otpd.EventCodeDenied && g != nil {
		r := g.requests[0]
		e.Outcome = w.l.T("act.denied_was", "Code", lowerFirst(w.codeName(r.Purpose)), "From", w.fromWhere(r), "At", w.l.TimeOfDay(r.At, ev.At))
	}
	return e
}

// campaignEntry is a flood of requests as one entry: its count, its
// places and its span, not hundreds of lines.
func (h History) campaignEntry(c otpd.Campaign) Entry {
	w := words{h.Lang}
	e := Entry{Kind: kindCodes, At: c.StartedAt, End: c.LastAt,
		Subject: w.l.T("act.campaign", "Times", w.times(c.Requests)),
		Where:   w.placeList(c.Places, len(c.Places) >= otpd.MaxCampaignPlaces)}
	if c.LastAt.Truncate(time.Minute).Equal(c.StartedAt.Truncate(time.Minute)) {
		// "between 14:02 and 14:02" says less than "at 14:02".
		e.At, e.End = c.LastAt, time.Time{}
	}
	if h.Now.Before(c.Until) {
		e.Outcome = w.l.T("act.campaign_on", "Until", w.l.TimeOfDay(c.Until, e.sortAt()))
	} else {
		e.Outcome = w.l.T("act.campaign_over")
	}
	return e
}
