package pages

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/catalog"
	"github.com/otpd/otpd/msgcheck"
	"github.com/otpd/otpd/web/activity"
	"github.com/otpd/otpd/web/edge"
)

// "Check a message": whoever holds a message that claims to be from us
// types its reference, or pastes or uploads the raw message, and learns
// whether we sent it, as we sent it. The page is reached from the sign-in
// page and the hub, never from a message: a message that says "check me
// here" with a link is what a forgery says too.
//
// What it tells whom. Anyone holding a reference learns whether we sent a
// message with it, to which masked address and when: the holder has the
// message, which says as much. Nothing more, and in particular not its
// kind: a code and a "no account" notice would tell whether the address
// has an account, which the page must not tell anyone but the address's
// owner beyond what the message in hand says. The signed-in owner of the
// address sees what the message was, who asked (place, device, IP) and
// what became of the request, with "This wasn't me" when it can be
// reported.

// checkView is check.html's: the forms, and the answer about a reference.
type checkView struct {
	layout
	Reference string
	// Looked: a reference was looked up; Sent is what we sent with it,
	// nil when nothing.
	Looked bool
	Sent   *sentView
}

// sentView is what a reference says of a message we sent.
type sentView struct {
	To string
	At time.Time
	// Owner: the signed-in account owns the address; Kind and Request
	// are shown only then. Request is the activity's entry of the code
	// request the message was about, when there is one.
	Owner   bool
	Kind    otpd.MessageKind
	Request *activity.Entry
}

// checkedView is checked.html's: the verdict on a raw message.
type checkedView struct {
	layout
	Report msgcheck.Report
	// To and At are the record's, shown to the holder of the message.
	To string
	At time.Time
}

// Check shows the forms.
func (p *Pages) Check(w http.ResponseWriter, r *http.Request) {
	v := &checkView{layout: p.checkLayout(r, "title.check")}
	p.render(w, r, http.StatusOK, "check.html", v)
}

// checkLayout is the layout of a check page, with the account in the
// navigation when someone is signed in.
func (p *Pages) checkLayout(r *http.Request, title string) layout {
	l := p.newLayout(title)
	if c, err := p.Authenticate(r.Context(), edge.SessionToken(r)); err == nil {
		l.Account = c.Account()
	}
	return l
}

// CheckReference looks up a typed reference.
func (p *Pages) CheckReference(w http.ResponseWriter, r *http.Request) {
	v := &checkView{layout: p.checkLayout(r, "title.check"), Reference: r.PostFormValue("reference")}
	sent, err := p.lookUp(r, v.Reference)
	if err != nil {
		p.renderError(w, r, "check.html", v, err)
		return
	}
	v.Looked, v.Sent = true, sent
	p.render(w, r, http.StatusOK, "check.html", v)
}

func (p *Pages) lookUp(r *http.Request, typed string) (*sentView, error) {
	checker, err := p.MessageChecker()
	if err != nil {
		return nil, err
	}
	ref, err := otpd.ParseMessageRef(typed)
	if err != nil {
		return nil, err
	}
	if err := p.Engine.AllowMessageCheck(r.Context(), p.Requester(r)); err != nil {
		return nil, err
	}
	m, err := checker.LookupRef(r.Context(), ref)
	if err != nil || m == nil {
		return nil, err
	}
	sent := &sentView{To: m.To.Masked(), At: m.CreatedAt}
	c, err := p.Authenticate(r.Context(), edge.SessionToken(r))
	if err != nil {
		return sent, nil
	}
	ch, owned, err := p.Engine.MessageRequest(r.Context(), c, *m)
	if err != nil || !owned {
		return sent, err
	}
	sent.Owner, sent.Kind = true, m.Kind
	if ch.FlowID == "" {
		return sent, nil
	}
	es, err := p.entries(r, c, activityPageEvents)
	if err != nil {
		return nil, err
	}
	for _, e := range es {
		if e.Request && e.FlowID == ch.FlowID {
			sent.Request = &e
			break
		}
	}
	return sent, nil
}

// CheckMessage judges a pasted or uploaded raw message. It reads the
// form itself, bounded (Form's bound is for small forms): a
// multipart/form-data body with the field "message" (pasted) or "file"
// (an .eml), or a urlencoded one with "message".
func (p *Pages) CheckMessage(w http.ResponseWriter, r *http.Request) {
	v := &checkedView{layout: p.checkLayout(r, "title.check")}
	fail := func(err error) {
		cv := &checkView{layout: v.layout}
		p.renderError(w, r, "check.html", cv, err)
	}
	checker, err := p.MessageChecker()
	if err != nil {
		fail(err)
		return
	}
	if err := p.Engine.AllowMessageCheck(r.Context(), p.Requester(r)); err != nil {
		fail(err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, edge.MaxMessageUpload)
	raw, err := postedMessage(r)
	if err != nil {
		fail(err)
		return
	}
	rep, err := checker.Check(r.Context(), bytes.NewReader(raw))
	if err != nil {
		fail(err)
		return
	}
	p.reportForgery(r, rep)
	v.Report = rep
	if rep.Sent != nil {
		v.To, v.At = rep.Sent.To.Masked(), rep.Sent.CreatedAt
	}
	v.Title = verdictTitles[rep.Verdict]
	p.render(w, r, http.StatusOK, "checked.html", v)
}

// reportForgery keeps a report of a message that is not ours for the
// operator. Its failure is the server's, logged; the person is shown the
// verdict all the same.
func (p *Pages) reportForgery(r *http.Request, rep msgcheck.Report) {
	if rep.Verdict != msgcheck.NotFromUs {
		return
	}
	if err := p.Engine.ReportForgery(r.Context(), p.Requester(r), rep.Forgery()); err != nil {
		p.Log.ErrorContext(r.Context(), "keep forgery report", "err", err)
	}
}

// verdictTitles are the titles of a verdict's page, catalogue keys.
var verdictTitles = map[msgcheck.Verdict]string{
	msgcheck.Genuine:   "title.check_genuine",
	msgcheck.Altered:   "title.check_altered",
	msgcheck.NotFromUs: "title.check_not_from_us",
}

var errNoMessage = &otpd.Error{Code: otpd.EInvalid, Field: "message",
	Message: "paste the message's original text, or choose its .eml file"}

// postedMessage reads the message of a check's form.
func postedMessage(r *http.Request) ([]byte, error) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		if err := r.ParseForm(); err != nil {
			return nil, formTooBig(err)
		}
		if m := r.PostForm.Get("message"); strings.TrimSpace(m) != "" {
			return []byte(m), nil
		}
		return nil, errNoMessage
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, errNoMessage
	}
	var pasted, file []byte
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, formTooBig(err)
		}
		b, err := io.ReadAll(part)
		if err != nil {
			return nil, formTooBig(err)
		}
		switch part.FormName() {
		case "message":
			pasted = b
		case "file":
			file = b
		}
	}
	switch {
	case len(bytes.TrimSpace(file)) > 0:
		return file, nil
	case len(bytes.TrimSpace(pasted)) > 0:
		return pasted, nil
	}
	return nil, errNoMessage
}

// formTooBig words a form that could not be read.
func formTooBig(err error) error {
	if tooBig := (*http.MaxBytesError)(nil); errors.As(err, &tooBig) {
		return &otpd.Error{Code: otpd.EInvalid, Field: "message",
			Message: "the message is larger than any of ours (512 KiB at most)"}
	}
	return &otpd.Error{Code: otpd.EInvalid, Field: "message", Message: "the form could not be read; try again"}
}

// The words of a verdict's reasons, changes and signatures are the
// catalogue's check.reason.<reason>, check.change.<change> and
// check.sig.<result> (render.go binds them).

// kindWord says what a message was, to the owner of its address
// (check.kind.<kind>); a kind added since is "a message".
func kindWord(l catalog.Lang, k otpd.MessageKind) string {
	if key := "check.kind." + string(k); l.Has(key) {
		return l.T(key)
	}
	return l.T("check.kind.unknown")
}
