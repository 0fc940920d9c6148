package activity

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/catalog"
	"github.com/otpd/otpd/signin"
)

var t0 = time.Date(2026, 3, 3, 14, 2, 0, 0, time.UTC)

// en is the language the tests read the activity in.
var en = catalog.MustLoad().Lang("en")

// eventSeq keeps the events lagos makes distinct, two in one minute too.
var eventSeq atomic.Int64

// lagos is a request from Lagos on Chrome on Windows, at t0 plus min
// minutes, in flow, with the typed fields of typed.
func lagos(typ otpd.EventType, flow string, min int, typed otpd.Event) otpd.Event {
	ev := typed
	ev.ID, ev.Type, ev.FlowID = fmt.Sprintf("%s-%s-%d-%d", flow, typ, min, eventSeq.Add(1)), typ, flow
	ev.At, ev.IP, ev.Place = t0.Add(time.Duration(min)*time.Minute), "198.51.100.9", "Lagos, Nigeria"
	ev.UserAgent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
	return ev
}

// signIn, reset and the others are the typed fields of code requests.
var (
	signIn   = otpd.Event{Purpose: otpd.PurposeSignIn}
	resent   = otpd.Event{Purpose: otpd.PurposeSignIn, Resend: true}
	reset    = otpd.Event{Purpose: otpd.PurposeResetPassword}
	newEmail = otpd.Event{Purpose: otpd.PurposeChangeEmail}
	heldBack = otpd.Event{Purpose: otpd.PurposeSignIn, Reason: otpd.ReasonHeldBack}
	refused  = otpd.Event{Purpose: otpd.PurposeSignIn, Reason: otpd.ReasonRefused}
)

// newestFirst reverses events written oldest first, as the store
// answers them.
func newestFirst(evs ...otpd.Event) []otpd.Event {
	out := make([]otpd.Event, len(evs))
	for i, e := range evs {
		out[len(evs)-1-i] = e
	}
	return out
}

func sentenceOf(e Entry) string {
	s := e.Subject
	if e.Where != "" {
		s += " from " + e.Where
	}
	if e.Device != "" {
		s += " on " + e.Device
	}
	return s + " at " + e.At.Format("15:04") + ". " + e.Outcome
}

func TestCodeRequestsInPlainWords(t *testing.T) {
	req := signIn
	for _, tc := range []struct {
		name       string
		events     []otpd.Event
		now        time.Time
		want       string
		reportable bool
	}{
		{"expired", []otpd.Event{lagos(otpd.EventCodeRequested, "f", 0, req)}, t0.Add(time.Hour),
			"A sign-in code was requested from Lagos, Nigeria on Chrome/Windows at 14:02. It was not used and expired.", true},
		{"still good", []otpd.Event{lagos(otpd.EventCodeRequested, "f", 0, req)}, t0.Add(time.Minute),
			"It has not been used; it stops working at 14:12 UTC.", true},
		{"resent, then used elsewhere", []otpd.Event{lagos(otpd.EventCodeRequested, "f", 0, req),
			lagos(otpd.EventCodeRequested, "f", 1, resent),
			{ID: "v", Type: otpd.EventCodeVerified, FlowID: "f", At: t0.Add(3 * time.Minute), IP: "203.0.113.5", Place: "London, United Kingdom"},
			{ID: "s", Type: otpd.EventSessionStarted, FlowID: "f", At: t0.Add(3 * time.Minute), IP: "203.0.113.5"}}, t0.Add(time.Hour),
			"A sign-in code was requested twice from Lagos, Nigeria on Chrome/Windows at 14:02. It was used to sign in from London, United Kingdom at 14:05 UTC.", true},
		{"reported", []otpd.Event{lagos(otpd.EventCodeRequested, "f", 0, reset),
			{ID: "d", Type: otpd.EventCodeDenied, FlowID: "f", At: t0.Add(2 * time.Minute)}}, t0.Add(time.Hour),
			"A password reset code was requested from Lagos, Nigeria on Chrome/Windows at 14:02. You reported it as not yours at 14:04 UTC, which cancelled it.", false},
		{"disowned by the address it went to", []otpd.Event{lagos(otpd.EventCodeRequested, "f", 0, newEmail),
			{ID: "d", Type: otpd.EventCodeDenied, FlowID: "f", At: t0.Add(2 * time.Minute), Reason: otpd.ReasonDisowned}}, t0.Add(time.Hour),
			"A code to confirm a new sign-in address was requested from Lagos, Nigeria on Chrome/Windows at 14:02. The owner of the address it was sent to said they did not ask for it at 14:04 UTC, which cancelled it.", false},
		{"reported once expired", []otpd.Event{lagos(otpd.EventCodeRequested, "f", 0, req),
			{ID: "d", Type: otpd.EventCodeDenied, FlowID: "f", At: t0.Add(30 * time.Minute)}}, t0.Add(time.Hour),
			"It was not used and expired. You reported it as not yours at 14:32 UTC.", false},
		{"guessed at", []otpd.Event{lagos(otpd.EventCodeRequested, "f", 0, req), lagos(otpd.EventCodeWrong, "f", 1, signIn),
			lagos(otpd.EventCodeWrong, "f", 1, signIn), lagos(otpd.EventCodeWrong, "f", 2, signIn)}, t0.Add(time.Hour),
			"Wrong codes were entered 3 times, so it stopped working.", true},
		{"held back", []otpd.Event{lagos(otpd.EventCodeRequested, "f", 0, heldBack)},
			t0.Add(time.Hour), "No code was sent: your account was under attack", true},
		{"refused", []otpd.Event{lagos(otpd.EventCodeRefused, "f", 0, refused)},
			t0.Add(time.Hour), "A sign-in code was asked for from Lagos, Nigeria on Chrome/Windows at 14:02. It was refused", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := History{Lang: en, Events: newestFirst(tc.events...), Now: tc.now, Lifetime: 10 * time.Minute, MaxAttempts: 3}
			var flow *Entry
			for _, e := range h.Entries() {
				if e.Request {
					if flow != nil {
						t.Fatalf("two entries for one flow: %+v and %+v", *flow, e)
					}
					flow = &e
				}
			}
			if flow == nil {
				t.Fatal("no entry for the request")
			}
			if got := sentenceOf(*flow); !strings.Contains(got, tc.want) {
				t.Errorf("entry says %q, want %q", got, tc.want)
			}
			if flow.Reportable != tc.reportable || flow.FlowID != "f" || flow.Kind != kindCodes {
				t.Errorf("entry %+v: reportable %v, want %v", *flow, flow.Reportable, tc.reportable)
			}
		})
	}
}

// Every purpose's request is named for what it asked, resent or not.
func TestCodeRequestsNamedByPurpose(t *testing.T) {
	for _, p := range []otpd.Purpose{otpd.PurposeSignIn, otpd.PurposeSignUp, otpd.PurposeResetPassword, otpd.PurposeStepUp,
		otpd.PurposeChangeEmail, otpd.PurposeAddRecovery} {
		want := en.T("act.purpose." + string(p) + ".code")
		for _, resend := range []bool{false, true} {
			g := flowGroup{requests: []otpd.Event{lagos(otpd.EventCodeRequested, "f", 0, otpd.Event{Purpose: p, Resend: resend})}}
			if got := (words{en}).what(&g); got != want || strings.Contains(got, "⟦") {
				t.Errorf("%s request (resend %v) is named %q, want %q", p, resend, got, want)
			}
		}
	}
}

// The request a session signed in by is marked, not offered for a
// report: reporting it would sign its owner out.
func TestCurrentSignInIsNotReportable(t *testing.T) {
	started := otpd.Event{ID: "s", Type: otpd.EventSessionStarted, FlowID: "mine", At: t0.Add(time.Minute), IP: "203.0.113.5"}
	evs := newestFirst(otpd.Event{ID: "r", Type: otpd.EventCodeRequested, FlowID: "mine", At: t0, IP: "203.0.113.5"}, started)
	h := History{Lang: en, Events: evs, Now: t0.Add(time.Hour), Lifetime: time.Minute, CurrentFlow: "mine"}
	requests := 0
	for _, e := range h.Entries() {
		if e.Request {
			requests++
			if !e.Current || e.Reportable {
				t.Errorf("the session's own request: current %v, reportable %v", e.Current, e.Reportable)
			}
		}
	}
	if requests != 1 {
		t.Errorf("%d request entries, want the one", requests)
	}
}

func TestCampaignFoldsHeldBackRequests(t *testing.T) {
	held := heldBack
	// The last request is recorded a moment after the campaign counted
	// it, so after its LastAt.
	c := otpd.Campaign{StartedAt: t0.Add(time.Minute), LastAt: t0.Add(29 * time.Minute), Until: t0.Add(24 * time.Hour),
		Requests: 40, Places: []string{"Lagos, Nigeria", "Lima, Peru"}}
	evs := []otpd.Event{lagos(otpd.EventCodeRequested, "first", 0, signIn),
		{ID: "ua", Type: otpd.EventUnderAttack, At: c.StartedAt, Concerns: "Lagos, Nigeria"}}
	for i := 1; i <= 30; i++ {
		flow := "held" + time.Duration(i).String()
		evs = append(evs, lagos(otpd.EventCodeRequested, flow, i, held), lagos(otpd.EventCodeWrong, flow, i, signIn))
	}
	h := History{Lang: en, Events: newestFirst(evs...), Campaigns: []otpd.Campaign{c}, Now: t0.Add(time.Hour), Lifetime: 10 * time.Minute}
	es := h.Entries()
	if len(es) != 2 {
		for _, e := range es {
			t.Log(sentenceOf(e))
		}
		t.Fatalf("%d entries, want the campaign and the request before it", len(es))
	}
	got := sentenceOf(es[0])
	for _, want := range []string{"asked for 40 times", "from Lagos, Nigeria and Lima, Peru", "is under attack: until 4 Mar, 14:02 UTC"} {
		if !strings.Contains(got, want) {
			t.Errorf("campaign says %q, want %q", got, want)
		}
	}
	if !es[0].End.Equal(c.LastAt) || es[1].FlowID != "first" {
		t.Errorf("entries %+v", es)
	}
}

func TestEveryEventHasAKind(t *testing.T) {
	for _, typ := range documentedTypes(t) {
		if eventKinds[typ] == "" {
			t.Errorf("event type %s has no kind", typ)
		}
	}
	for typ := range eventKinds {
		if !en.Has("act.title." + string(typ)) {
			t.Errorf("kind of unknown event type %s", typ)
		}
	}
}

func TestParseKind(t *testing.T) {
	for _, tc := range []struct {
		in   []string
		want string
		ok   bool
	}{
		{nil, "", true}, {[]string{""}, "", true}, {[]string{"codes"}, "codes", true},
		{[]string{"Codes"}, "", false}, {[]string{"codes", "devices"}, "", false}, {[]string{"<b>"}, "", false},
	} {
		got, err := ParseKind(tc.in)
		if got != tc.want || (err == nil) != tc.ok {
			t.Errorf("ParseKind(%q) = %q, %v", tc.in, got, err)
		}
		if err != nil && otpd.ErrorCode(err) != otpd.EInvalid {
			t.Errorf("ParseKind(%q): %v, want invalid", tc.in, err)
		}
	}
}

func TestUnusedNotice(t *testing.T) {
	if n := NewUnusedNotice(en, nil); n != nil {
		t.Errorf("notice of no codes: %+v", n)
	}
	cs := []signin.UnusedCode{{Place: "Lagos, Nigeria", IP: "198.51.100.9"}, {Place: "Lagos, Nigeria", IP: "198.51.100.10"},
		{IP: "192.0.2.9"}, {Place: "Lima, Peru"}, {Place: "Paris, France"}, {Place: "Oslo, Norway", Status: otpd.StatusDenied}}
	n := NewUnusedNotice(en, cs)
	if n == nil || n.Count != 5 || n.Places != "Lagos, Nigeria; 192.0.2.9; Lima, Peru and other places" {
		t.Errorf("notice %+v", n)
	}
	// Codes the owner reported are dealt with.
	if n := NewUnusedNotice(en, cs[5:]); n != nil {
		t.Errorf("notice of reported codes only: %+v", n)
	}
}

// A report shown on its own line says who made it: the owner, or the
// owner of a new address the account asked to confirm.
func TestReportSaysWhoReported(t *testing.T) {
	for reason, want := range map[otpd.Reason]string{
		"":                  "You reported a code request as not yours",
		otpd.ReasonDisowned: "A code sent to a new address was reported by that address's owner",
	} {
		ev := otpd.Event{ID: "d", Type: otpd.EventCodeDenied, FlowID: "gone", At: t0, Reason: reason}
		if got := (words{en}).eventEntry(ev, nil).Subject; got != want {
			t.Errorf("report %q reads %q, want %q", reason, got, want)
		}
	}
}
