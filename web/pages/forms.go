package pages

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/web/edge"
)

// maxForm bounds a page's form body; the longest form, a password's,
// needs a few hundred bytes.
const maxForm = 16 << 10

// Form reads a page's posted form up front, bounded, before h: a body
// over maxForm, or one that is not properly encoded, is refused with a
// 400 page rather than read in full (Go reads up to 10 MB of a form) or
// half-parsed. The pages post only application/x-www-form-urlencoded;
// any other body leaves the form empty, and h says what is missing,
// rather than being parsed as multipart into temporary files.
func (p *Pages) Form(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxForm)
		if err := r.ParseForm(); err != nil {
			msg := "this form could not be read; reload the page and try again"
			if tooBig := (*http.MaxBytesError)(nil); errors.As(err, &tooBig) {
				msg = "this form is larger than any of ours; reload the page and try again"
			}
			p.showError(w, r, "title.bad_form", otpd.Errorf(otpd.EInvalid, "%s", msg))
			return
		}
		h(w, r)
	}
}

// formSendTo is edge.SendToRecovery for a form, where a missing field is
// absent.
func formSendTo(r *http.Request) (bool, error) {
	v := r.PostFormValue("send_to") // parses the form, for Has below
	if !r.PostForm.Has("send_to") {
		return false, nil
	}
	return edge.SendToRecovery(&v)
}

// toRecoveryQuery is the query of a code page whose code went to the
// recovery address, which words the page for it; a link that adds it
// changes only those words.
func toRecoveryQuery(recovery bool) url.Values {
	q := url.Values{}
	if recovery {
		q.Set("to", "recovery")
	}
	return q
}
