package activity

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/useragent"
)

// The activity page and the notices speak in sentences; these make their
// parts. Times are in UTC and say so (catalog.Lang.TimeOfDay): without
// JavaScript the page cannot know the reader's zone, and a wrong local time
// is worse than a labelled UTC one.

// where names where a request came from: its place, or its IP when the
// place is unknown; "" when neither is known.
func where(place, ip string) string {
	if place != "" {
		return place
	}
	return ip
}

// fromWhere is " from Lagos, Nigeria", or "" when nothing is known.
func (w words) fromWhere(ev otpd.Event) string {
	if p := where(ev.Place, ev.IP); p != "" {
		return w.l.T("entry.from", "Place", p)
	}
	return ""
}

// shortDevice names a user agent for the middle of a sentence, as
// "Chrome/Windows": "on Chrome on Windows" reads badly. "" when the
// request said nothing.
func shortDevice(ua string) string {
	if ua == "" {
		return ""
	}
	return useragent.NameJoined(ua, "/")
}

// lowerFirst starts a code's name, a sentence's subject ("A sign-in
// code"), in lower case for the middle of another sentence; in a script
// without case it changes nothing.
func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[n:]
}

// placeList joins places for a sentence: "Lagos, Nigeria; Paris, France
// and Lima, Peru". Places carry commas of their own, hence semicolons.
// more says the list was cut short.
func (w words) placeList(places []string, more bool) string {
	switch {
	case len(places) == 0:
		return ""
	case more:
		return w.l.T("act.places_more", "Places", strings.Join(places, "; "))
	case len(places) == 1:
		return places[0]
	}
	return w.l.T("act.places_and", "Places", strings.Join(places[:len(places)-1], "; "), "Last", places[len(places)-1])
}

// times is "once", "twice", "3 times": "twice" is no plural form, but a
// word of its own in many languages.
func (w words) times(n int) string {
	if n == 2 {
		return w.l.T("act.twice")
	}
	return w.l.N("act.times", n)
}
