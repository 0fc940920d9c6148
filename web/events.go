package web

import (
	"time"

	"github.com/otpd/otpd"
)

// eventView is an event in plain words.
type eventView struct {
	Title     string
	Detail    string
	At        time.Time
	IP        string
	UserAgent string
}

var eventTitles = map[otpd.EventType]string{
	otpd.EventCodeRequested:  "Code requested",
	otpd.EventCodeRefused:    "Code request refused (too many requests)",
	otpd.EventCodeVerified:   "Code entered correctly",
	otpd.EventCodeWrong:      "Wrong code entered",
	otpd.EventCodeExpired:    "Expired code entered",
	otpd.EventCodeExhausted:  "Code entered after too many wrong tries",
	otpd.EventCodeLocked:     "Code refused: too many wrong codes for this address",
	otpd.EventCodeRejected:   "Code refused: no longer valid",
	otpd.EventAccountCreated: "Account created",
	otpd.EventSessionStarted: "Signed in",
	otpd.EventSessionEnded:   "Signed out",
	otpd.EventCodeDenied:     "You reported a code you did not ask for",
}

func eventViews(evs []otpd.Event) []eventView {
	out := make([]eventView, len(evs))
	for i, e := range evs {
		title, ok := eventTitles[e.Type]
		if !ok {
			title = string(e.Type)
		}
		out[i] = eventView{Title: title, Detail: e.Detail, At: e.At, IP: e.IP, UserAgent: e.UserAgent}
	}
	return out
}
