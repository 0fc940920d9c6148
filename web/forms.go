package web

import (
	"errors"
	"net/http"

	"github.com/otpd/otpd"
)

// maxForm bounds a page's form body; the longest form, a password's,
// needs a few hundred bytes.
const maxForm = 16 << 10

// form reads a page's posted form up front, bounded, before h: a body
// over maxForm, or one that is not properly encoded, is refused with a
// 400 page rather than read in full (Go reads up to 10 MB of a form) or
// half-parsed. The pages post only application/x-www-form-urlencoded;
// any other body leaves the form empty, and h says what is missing,
// rather than being parsed as multipart into temporary files.
func (s *Server) form(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxForm)
		if err := r.ParseForm(); err != nil {
			msg := "this form could not be read; reload the page and try again"
			if tooBig := (*http.MaxBytesError)(nil); errors.As(err, &tooBig) {
				msg = "this form is larger than any of ours; reload the page and try again"
			}
			s.renderError(w, r, "error.html", s.newPage("The form could not be read"), otpd.Errorf(otpd.EInvalid, "%s", msg))
			return
		}
		h(w, r)
	}
}
