package catalog

import (
	"strings"
	"time"
)

// Times are shown in UTC and say so: a page cannot know the reader's zone
// without asking. Each language writes them with Go layouts of its own
// (date.long, date.when, date.clock, date.day_time, date.time), whose
// English month and weekday names are then put in its words
// (date.months, date.months_short, date.weekdays, date.weekdays_short:
// space-separated, January or Sunday first).

// Date is t's day in full: "Monday 2 January 2006".
func (l Lang) Date(t time.Time) string { return l.format(t, "date.long") }

// When is t to the minute: "2 Jan 2006, 15:04 UTC".
func (l Lang) When(t time.Time) string { return l.format(t, "date.when") }

// Clock is t to the second: "2 Jan 2006, 15:04:05 UTC".
func (l Lang) Clock(t time.Time) string { return l.format(t, "date.clock") }

// TimeOfDay is t's time of day, with its day too when that is not ref's:
// "15:04 UTC", "2 Jan, 15:04 UTC".
func (l Lang) TimeOfDay(t, ref time.Time) string {
	t, ref = t.UTC(), ref.UTC()
	if t.YearDay() == ref.YearDay() && t.Year() == ref.Year() {
		return l.format(t, "date.time")
	}
	return l.format(t, "date.day_time")
}

func (l Lang) format(t time.Time, key string) string {
	t = t.UTC()
	s := t.Format(l.T(key))
	if l.tag == Source {
		return s
	}
	// Full names first: "Mon" is the start of "Monday".
	for _, names := range []struct {
		key     string
		english []string
		i       int
	}{
		{"date.months", englishMonths, int(t.Month()) - 1},
		{"date.weekdays", englishWeekdays, int(t.Weekday())},
		{"date.months_short", shortNames(englishMonths), int(t.Month()) - 1},
		{"date.weekdays_short", shortNames(englishWeekdays), int(t.Weekday())},
	} {
		own := strings.Fields(l.T(names.key))
		if names.i < len(own) {
			s = replaceWord(s, names.english[names.i], own[names.i])
		}
	}
	return s
}

// replaceWord replaces the English name in s with the language's, where
// it stands as a word of its own.
func replaceWord(s, english, own string) string {
	i := strings.Index(s, english)
	for i >= 0 {
		end := i + len(english)
		if end == len(s) || !isLetter(s[end]) {
			return s[:i] + own + s[end:]
		}
		j := strings.Index(s[end:], english)
		if j < 0 {
			break
		}
		i = end + j
	}
	return s
}

func isLetter(b byte) bool { return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' }

var (
	englishMonths = []string{"January", "February", "March", "April", "May", "June", "July",
		"August", "September", "October", "November", "December"}
	englishWeekdays = []string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
)

func shortNames(full []string) []string {
	out := make([]string, len(full))
	for i, n := range full {
		out[i] = n[:3]
	}
	return out
}
