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
	// usedFor completes "it was used to ..."; "" when unknown.
	usedFor   string
	wrong     int
	exhausted bool
	denied    *otpd.Event
}

// usedForWords say what a right code did, by the event it recorded
// besides code_verified; creating the account says more than signing in.
var usedForWords = map[otpd.EventType]string{
	otpd.EventSessionStarted: "sign in",
	otpd.EventAccountCreated: "create your account",
	otpd.EventSteppedUp:      "confirm a change to your account",
	otpd.EventPasswordReset:  "reset your password",
	otpd.EventEmailChanged:   "change your sign-in address",
	otpd.EventRecoveryAdded:  "add a recovery address",
}

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
	if what, ok := usedForWords[ev.Type]; ok && (g.usedFor == "" || ev.Type == otpd.EventAccountCreated) {
		g.usedFor = what
	}
}

// last is the flow's newest request: its code is the one that counts.
func (g *flowGroup) last() otpd.Event { return g.requests[len(g.requests)-1] }

// codeSent reports whether the newest request sent a code: refused, held
// back, or with code-only sign-in off, it sent none.
func (g *flowGroup) codeSent() bool { return !g.last().SentNoCode() }

// what names the code the flow asked for.
func (g *flowGroup) what() string { return codeName(g.requests[0].Purpose) }

// noCodeReason says why a request sent no code, or "" when it sent one.
func noCodeReason(ev otpd.Event) string {
	if !ev.SentNoCode() {
		return ""
	}
	if ev.Type == otpd.EventCodeRefused {
		return noCodeWords[otpd.ReasonRefused]
	}
	return noCodeWords[ev.Reason]
}

// flowEntry is a code request with what became of it.
func (h History) flowEntry(g *flowGroup) Entry {
	first := g.requests[0]
	e := Entry{Kind: kindCodes, Request: true, At: first.At, IP: first.IP, UserAgent: first.UserAgent, Where: where(first.Place, first.IP),
		Device: shortDevice(first.UserAgent), FlowID: first.FlowID, Current: first.FlowID == h.CurrentFlow}
	e.Subject = g.what() + " was requested"
	if first.Type == otpd.EventCodeRefused && len(g.requests) == 1 {
		e.Subject = g.what() + " was asked for"
	} else if len(g.requests) > 1 {
		e.Subject += " " + times(len(g.requests))
	}
	sent := g.codeSent()
	e.Outcome = noCodeReason(g.last())
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
	first := g.requests[0]
	var says []string
	if v := g.verified; v != nil {
		if g.wrong > 0 {
			says = append(says, wrongTries(g.wrong, false))
		}
		s := "It was used"
		if g.usedFor != "" {
			s += " to " + g.usedFor
		}
		if v.IP != first.IP {
			s += fromWhere(*v)
		}
		says = append(says, s+" at "+TimeOfDay(v.At, first.At)+".")
	}
	// A report cancels a code that still works; one that came later
	// follows what became of the code.
	cancelled := g.denied != nil && g.verified == nil && !g.exhausted && g.denied.At.Before(h.expiry(g))
	if g.verified == nil && !cancelled {
		says = append(says, h.unusedOutcome(g)...)
	}
	if d := g.denied; d != nil {
		s := "You reported it as not yours at " + TimeOfDay(d.At, first.At)
		if disowned(*d) {
			s = "The owner of the address it was sent to said they did not ask for it at " + TimeOfDay(d.At, first.At)
		}
		if cancelled {
			s += ", which cancelled it"
		}
		says = append(says, s+".")
	}
	return strings.Join(says, " ")
}

// disowned reports whether a report came from the owner of an address the
// account asked to confirm as its own, rather than from the account's.
func disowned(ev otpd.Event) bool { return ev.Reason == otpd.ReasonDisowned }

// unusedOutcome says what became of a code nobody used or reported.
func (h History) unusedOutcome(g *flowGroup) []string {
	var says []string
	exhausted := g.exhausted || (h.MaxAttempts > 0 && g.wrong >= h.MaxAttempts)
	if g.wrong > 0 || exhausted {
		says = append(says, wrongTries(g.wrong, exhausted))
	}
	if exhausted {
		return says
	}
	ends := h.expiry(g)
	if h.Now.Before(ends) {
		return append(says, "It has not been used; it stops working at "+TimeOfDay(ends, g.requests[0].At)+".")
	}
	return append(says, "It was not used and expired.")
}

// expiry is when the flow's newest code stops working.
func (h History) expiry(g *flowGroup) time.Time { return g.last().At.Add(h.Lifetime) }

// wrongTries says how many wrong codes were typed, and whether that
// stopped the code working. n is 0 when the tries fell before the events
// read.
func wrongTries(n int, stopped bool) string {
	s := "Wrong codes were entered " + times(n)
	switch n {
	case 0:
		s = "Too many wrong codes were entered"
	case 1:
		s = "A wrong code was entered once"
	}
	if stopped {
		return s + ", so it stopped working."
	}
	return s + "."
}
