package catalog

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/otpd/otpd"
)

// Error is the message of e for a person reading l, as a sentence. The
// catalogue keys it by the error's typed code and field
// ("fielderror.invalid_request.email", else "error.invalid_request"), never
// by its text. In the source language the engine's own sentence is
// kept, being the most precise; it is given a capital and a full stop.
// A wait, when the refusal ends by itself, follows in l's words.
func (l Lang) Error(e *otpd.Error) string {
	msg := l.errorText(e)
	if e.RetryAfter > 0 {
		// The wait continues the sentence: "… later (in 5 minutes)."
		msg = sentence(strings.TrimRight(msg, ".") + " " + l.T("error.retry_in", "Wait", l.Duration(e.RetryAfter)))
	}
	return msg
}

// APIError is the message of e in the JSON API: the engine's own words
// for the source language, which clients may already match on, and the
// catalogue's elsewhere.
func (l Lang) APIError(e *otpd.Error) string {
	if l.tag == Source || e.Message == "" && l.errorKey(e) == "" {
		return e.Message
	}
	return l.errorText(e)
}

func (l Lang) errorText(e *otpd.Error) string {
	key := l.errorKey(e)
	if l.tag == Source && e.Message != "" || key == "" {
		return sentence(e.Message)
	}
	if e.Code == otpd.EInvalidCode {
		return l.N(key, e.AttemptsLeft, "Field", e.Field)
	}
	return l.T(key, "Field", e.Field)
}

// errorKey is the most precise key the catalogue has for e, or "".
func (l Lang) errorKey(e *otpd.Error) string {
	for _, k := range []string{"fielderror." + e.Code + "." + e.Field, "error." + e.Code} {
		if l.cat.messages[Source][k] != nil {
			return k
		}
	}
	return ""
}

// sentence starts s with a capital and ends it with a full stop.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	s = string(unicode.ToUpper(r)) + s[n:]
	if !strings.ContainsAny(s[len(s)-1:], ".!?") {
		s += "."
	}
	return s
}

// Duration says d in l's words, rounded up to whole seconds, minutes or
// hours.
func (l Lang) Duration(d time.Duration) string {
	switch {
	case d <= time.Minute:
		return l.N("duration.seconds", int((d+time.Second-1)/time.Second))
	case d < time.Hour:
		return l.N("duration.minutes", int((d+time.Minute-1)/time.Minute))
	default:
		return l.N("duration.hours", int((d+time.Hour-1)/time.Hour))
	}
}
