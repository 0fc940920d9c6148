package activity

import (
	"slices"
	"strings"
	"time"

	"github.com/otpd/otpd"
)

// flowGroup is a code request with the events of its flow: resends, the
// codes typed, and what a right one did.
type flowGroup struct {
	// requests are the flow's code requests, refused ones included,
	// oldest first.
	requests []otpd.Event
	verified *otpd.Event
	// usedFor is the event that says what the code was used for
	// (act.used_for.<type>); "" when unknown.
	usedFor   otpd.EventType
	wrong     int
	exhausted bool
	denied    *otpd.Event
}

// usedForTypes say what a right code did, by the event it recorded
// besides code_verified (act.used_for.<type>); creating the account says
// more than signing in.
var usedForTypes = []otpd.EventType{otpd.EventSessionStarted, otpd.EventAccountCreated, otpd.EventSteppedUp,
	otpd.EventPasswordReset, otpd.EventEmailChanged, otpd.EventRecoveryAdded}

// add takes the flow's events oldest first.
func (g *flowGroup) add(ev otpd.Event) {
	switch ev.Type {
	case otpd.EventCodeRequested, otpd.EventCodeRefused:
		g.requests = append(g.requests, ev)
	case otpd.EventCodeVerified:
		g.verified = &ev
	case otpd.EventCodeWrong:
		g.wrong++
	case otpd.EventCodeExhausted:
		g.exhausted = true
	case otpd.EventCodeDenied:
		g.denied = &ev
	}
	if slices.Contains(usedForTypes, ev.Type) && (g.usedFor == "" || ev.Type == otpd.EventAccountCreated) {
		g.usedFor = ev.Type
	}
}

// last is the flow's newest request: its code is the one that counts.
func (g *flowGroup) last() otpd.Event { return g.requests[len(g.requests)-1] }

// codeSent reports whether the newest request sent a code: refused, held
// back, or with code-only sign-in off, it sent none.
func (g *flowGroup) codeSent() bool { return !g.last().SentNoCode() }

// what names the code the flow asked for.
func (w words) what(g *flowGroup) string { return w.codeName(g.requests[0].Purpose) }

// noCodeReason says why a request sent no code, or "" when it sent one.
func (w words) noCodeReason(ev otpd.Event) string {
	if !ev.SentNoCode() {
		return ""
	}
	if ev.Type == otpd.EventCodeRefused {
		return w.noCode(otpd.ReasonRefused)
	}
	return w.opt("act.nocode." + string(ev.Reason))
}

// flowEntry is a code request with what became of it.
func (h History) flowEntry(g *flowGroup) Entry {
	w := words{h.Lang}
	first := g.requests[0]
	e := Entry{Kind: kindCodes, Request: true, At: first.At, IP: first.IP, UserAgent: first.UserAgent, Where: where(first.Place, first.IP),
		Device: shortDevice(first.UserAgent), FlowID: first.FlowID, Current: first.FlowID == h.CurrentFlow}
	switch {
	case first.Type == otpd.EventCodeRefused && len(g.requests) == 1:
		e.Subject = w.l.T("act.asked_for", "Code", w.what(g))
	case len(g.requests) > 1:
		e.Subject = w.l.T("act.requested_times", "Code", w.what(g), "Times", w.times(len(g.requests)))
	default:
		e.Subject = w.l.T("act.requested", "Code", w.what(g))
	}
	sent := g.codeSent()
	e.Outcome = w.noCodeReason(g.last())
	if sent {
		e.Outcome = h.outcome(g)
	}
	// A refused request made no code to report.
	hasCode := slices.ContainsFunc(g.requests, func(ev otpd.Event) bool { return ev.Type == otpd.EventCodeRequested })
	e.Unused = sent && g.verified == nil && g.denied == nil
	e.Reportable = hasCode && g.denied == nil && !e.Current
	return e
}

// outcome says what became of a code that was sent.
func (h History) outcome(g *flowGroup) string {
	w := words{h.Lang}
	first := g.requests[0]
	var says []string
	if v := g.verified; v != nil {
		if g.wrong > 0 {
			says = append(says, w.wrongTries(g.wrong, false))
		}
		from := ""
		if v.IP != first.IP {
			from = w.fromWhere(*v)
		}
		at := w.l.TimeOfDay(v.At, first.At)
		if g.usedFor != "" {
			says = append(says, w.l.T("act.used_to", "For", w.l.T("act.used_for."+string(g.usedFor)), "From", from, "At", at))
		} else {
			says = append(says, w.l.T("act.used", "From", from, "At", at))
		}
	}
	// A report cancels a code that still works; one that came later
	// follows what became of the code.
	cancelled := g.denied != nil && g.verified == nil && !g.exhausted && g.denied.At.Before(h.expiry(g))
	if g.verified == nil && !cancelled {
		says = append(says, h.unusedOutcome(g)...)
	}
	if d := g.denied; d != nil {
		key := "act.reported"
		if disowned(*d) {
			key = "act.disowned"
		}
		if cancelled {
			key += "_cancelled"
		}
		says = append(says, w.l.T(key, "At", w.l.TimeOfDay(d.At, first.At)))
	}
	return strings.Join(says, " ")
}

// disowned reports whether a report came from the owner of an address the
// account asked to confirm as its own, rather than from the account's.
func disowned(ev otpd.Event) bool { return ev.Reason == otpd.ReasonDisowned }

// unusedOutcome says what became of a code nobody used or reported.
func (h History) unusedOutcome(g *flowGroup) []string {
	w := words{h.Lang}
	var says []string
	exhausted := g.exhausted || (h.MaxAttempts > 0 && g.wrong >= h.MaxAttempts)
	if g.wrong > 0 || exhausted {
		says = append(says, w.wrongTries(g.wrong, exhausted))
	}
	if exhausted {
		return says
	}
	ends := h.expiry(g)
	if h.Now.Before(ends) {
		return append(says, w.l.T("act.not_used_yet", "At", w.l.TimeOfDay(ends, g.requests[0].At)))
	}
	return append(says, w.l.T("act.expired"))
}

// expiry is when the flow's newest code stops working.
func (h History) expiry(g *flowGroup) time.Time { return g.last().At.Add(h.Lifetime) }

// wrongTries says how many wrong codes were typed, and whether that
// stopped the code working. n is 0 when the tries fell before the events
// read.
func (w words) wrongTries(n int, stopped bool) string {
	key := "act.wrong"
	if stopped {
		key = "act.wrong_stopped"
	}
	if n == 0 {
		return w.l.T(key + "_many")
	}
	return w.l.N(key, n, "Times", w.times(n))
}
