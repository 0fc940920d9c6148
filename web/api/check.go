package api

import (
	"mime"
	"net/http"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/msgcheck"
	"github.com/otpd/otpd/web/edge"
)

// "Check a message" for apps: a reference, or a raw message. What each
// answer tells whom is as on the page (web/pages/check.go): the holder of
// a reference learns that we sent it, to which masked address and when;
// only the address's owner, by their bearer token, learns what it was
// and who asked, and reports it through POST /api/v1/me/activity/{flow_id}/report.

type referenceJSON struct {
	Reference string     `json:"reference"`
	Sent      bool       `json:"sent"`
	To        string     `json:"to,omitempty"`
	SentAt    *time.Time `json:"sent_at,omitempty"`
	// Kind and Request are the owner's only.
	Kind    otpd.MessageKind `json:"kind,omitempty"`
	Request *reportJSON      `json:"request,omitempty"`
}

// CheckReference answers POST /api/v1/check/reference.
func (h *Handlers) CheckReference(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Reference *string `json:"reference"`
	}
	if err := edge.DecodeJSON(r, &req); err != nil {
		return err
	}
	if err := edge.Required("reference", req.Reference); err != nil {
		return err
	}
	ref, err := otpd.ParseMessageRef(*req.Reference)
	if err != nil {
		return err
	}
	checker, err := h.MessageChecker()
	if err != nil {
		return err
	}
	if err := h.Engine.AllowMessageCheck(r.Context(), h.Requester(r)); err != nil {
		return err
	}
	m, err := checker.LookupRef(r.Context(), ref)
	if err != nil {
		return err
	}
	out := referenceJSON{Reference: ref}
	if m != nil {
		at := m.CreatedAt.UTC()
		out.Sent, out.To, out.SentAt = true, m.To.Masked(), &at
		if err := h.ownerView(r, *m, &out); err != nil {
			return err
		}
	}
	edge.WriteJSON(w, http.StatusOK, out)
	return nil
}

// ownerView adds what only the owner of the message's address sees, when
// the request carries their bearer token.
func (h *Handlers) ownerView(r *http.Request, m otpd.SentMessage, out *referenceJSON) error {
	if r.Header.Get("Authorization") == "" {
		return nil
	}
	c, err := h.BearerCaller(r)
	if err != nil {
		return err
	}
	ch, owned, err := h.Engine.MessageRequest(r.Context(), c, m)
	if err != nil || !owned {
		return err
	}
	out.Kind = m.Kind
	if ch.ID != "" {
		out.Request = &reportJSON{FlowID: ch.FlowID, Purpose: ch.Purpose, Status: ch.Status,
			RequestedAt: ch.CreatedAt, IP: ch.IP, UserAgent: ch.UserAgent}
	}
	return nil
}

type checkJSON struct {
	Verdict    msgcheck.Verdict    `json:"verdict"`
	Reasons    []msgcheck.Reason   `json:"reasons"`
	Changes    []msgcheck.Change   `json:"changes"`
	Signatures []signatureJSON     `json:"signatures"`
	FromDomain string              `json:"from_domain"`
	Aligned    bool                `json:"aligned"`
	Reference  string              `json:"reference"`
	MessageID  string              `json:"message_id"`
	Sent       *sentJSON           `json:"sent"`
	Links      []linkJSON          `json:"links"`
	Code       msgcheck.CodeResult `json:"code,omitempty"`
}

type signatureJSON struct {
	Domain    string             `json:"domain"`
	Selector  string             `json:"selector"`
	Algorithm string             `json:"algorithm"`
	Result    msgcheck.SigResult `json:"result"`
}

type sentJSON struct {
	To string    `json:"to"`
	At time.Time `json:"at"`
}

type linkJSON struct {
	URL  string `json:"url"`
	Host string `json:"host"`
	Ours bool   `json:"ours"`
}

// CheckMessage answers POST /api/v1/check/message, whose body is the raw
// message (message/rfc822).
func (h *Handlers) CheckMessage(w http.ResponseWriter, r *http.Request) error {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "message/rfc822" {
		return &otpd.Error{Code: edge.EMediaType, Field: "Content-Type", Message: "send the raw message as message/rfc822"}
	}
	checker, err := h.MessageChecker()
	if err != nil {
		return err
	}
	if err := h.Engine.AllowMessageCheck(r.Context(), h.Requester(r)); err != nil {
		return err
	}
	rep, err := checker.Check(r.Context(), http.MaxBytesReader(w, r.Body, edge.MaxMessageUpload))
	if err != nil {
		return err
	}
	if rep.Verdict == msgcheck.NotFromUs {
		// Kept for the operator; a failure to keep it is the server's,
		// and the caller gets the verdict all the same.
		if err := h.Engine.ReportForgery(r.Context(), h.Requester(r), rep.Forgery()); err != nil {
			h.Log.ErrorContext(r.Context(), "keep forgery report", "err", err)
		}
	}
	edge.WriteJSON(w, http.StatusOK, newCheckJSON(rep))
	return nil
}

func newCheckJSON(r msgcheck.Report) checkJSON {
	out := checkJSON{Verdict: r.Verdict, Reasons: orEmpty(r.Reasons), Changes: orEmpty(r.Changes),
		Signatures: []signatureJSON{}, FromDomain: r.FromDomain, Aligned: r.Aligned, Reference: r.Ref,
		MessageID: r.MessageID, Links: []linkJSON{}, Code: r.Code}
	for _, s := range r.Signatures {
		out.Signatures = append(out.Signatures, signatureJSON{s.Domain, s.Selector, s.Algorithm, s.Result})
	}
	for _, l := range r.Links {
		out.Links = append(out.Links, linkJSON{l.URL, l.Host, l.Ours})
	}
	if r.Sent != nil {
		out.Sent = &sentJSON{To: r.Sent.To.Masked(), At: r.Sent.CreatedAt.UTC()}
	}
	return out
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
