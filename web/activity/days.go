package activity

import "time"

// Day is one day of the activity page, in UTC.
type Day struct {
	Date    time.Time
	Entries []Entry
}

// OfKind keeps the entries of one kind; "" keeps them all.
func OfKind(es []Entry, kind string) []Entry {
	if kind == "" {
		return es
	}
	var out []Entry
	for _, e := range es {
		if e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

// ByDay groups entries, newest first, by their UTC day.
func ByDay(es []Entry) []Day {
	var out []Day
	for _, e := range es {
		at := e.sortAt().UTC()
		date := time.Date(at.Year(), at.Month(), at.Day(), 0, 0, 0, 0, time.UTC)
		if len(out) == 0 || !out[len(out)-1].Date.Equal(date) {
			out = append(out, Day{Date: date})
		}
		last := &out[len(out)-1]
		last.Entries = append(last.Entries, e)
	}
	return out
}
