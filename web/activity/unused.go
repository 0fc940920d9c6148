package activity

import (
	"slices"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/catalog"
	"github.com/otpd/otpd/signin"
)

// A code the owner did not use is evidence that someone else typed their
// address into a sign-in form. Large providers leave no trace of it; the
// home page says so at the top, and the API lists them.

// UnusedNotice is the home page's banner: how many codes were asked for
// since the last sign-in that the owner did not use, and from where.
type UnusedNotice struct {
	Count  int
	Places string
}

// noticePlaces is how many places the banner names; the activity page
// has them all.
const noticePlaces = 3

// NewUnusedNotice is the banner for the unused codes cs, in l; nil when
// there is none to show.
func NewUnusedNotice(l catalog.Lang, cs []signin.UnusedCode) *UnusedNotice {
	var places []string
	n := 0
	for _, c := range cs {
		// A code the owner reported is dealt with.
		if c.Status == otpd.StatusDenied {
			continue
		}
		n++
		if w := where(c.Place, c.IP); w != "" && !slices.Contains(places, w) {
			places = append(places, w)
		}
	}
	if n == 0 {
		return nil
	}
	more := len(places) > noticePlaces
	if more {
		places = places[:noticePlaces]
	}
	return &UnusedNotice{Count: n, Places: words{l}.placeList(places, more)}
}
