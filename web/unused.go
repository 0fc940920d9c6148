package web

import (
	"net/http"
	"slices"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/signin"
)

// A code the owner did not use is evidence that someone else typed their
// address into a sign-in form. Large providers leave no trace of it; the
// home page says so at the top, and the API lists them.

// unusedNotice is the home page's banner: how many codes were asked for
// since the last sign-in that the owner did not use, and from where.
type unusedNotice struct {
	Count  int
	Places string
}

// noticePlaces is how many places the banner names; the activity page
// has them all.
const noticePlaces = 3

func newUnusedNotice(cs []signin.UnusedCode) *unusedNotice {
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
	return &unusedNotice{Count: n, Places: placeList(places, more)}
}

type unusedCodeJSON struct {
	At        time.Time            `json:"at"`
	Purpose   otpd.Purpose         `json:"purpose"`
	Status    otpd.ChallengeStatus `json:"status"`
	IP        string               `json:"ip"`
	Place     string               `json:"place"`
	UserAgent string               `json:"user_agent"`
}

func (s *Server) apiUnusedCodes(w http.ResponseWriter, r *http.Request) error {
	c, err := s.apiCaller(r)
	if err != nil {
		return err
	}
	cs, err := s.engine.UnusedCodes(r.Context(), c.Caller)
	if err != nil {
		return err
	}
	out := make([]unusedCodeJSON, len(cs))
	for i, x := range cs {
		out[i] = unusedCodeJSON{At: x.At, Purpose: x.Purpose, Status: x.Status, IP: x.IP, Place: x.Place, UserAgent: x.UserAgent}
	}
	writeJSON(w, http.StatusOK, struct {
		Codes []unusedCodeJSON `json:"codes"`
	}{out})
	return nil
}
