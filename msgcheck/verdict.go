package msgcheck

import (
	"time"

	"github.com/otpd/otpd"
)

// Verdict is what a check concludes. The words are the presentation's.
type Verdict string

const (
	// Genuine: otpd signed the message as it is, knows its reference
	// and Message-ID, and every link leads to otpd.
	Genuine Verdict = "genuine"
	// Altered: otpd sent a message with this reference and Message-ID,
	// but what is in hand is not what it sent (Changes say how).
	Altered Verdict = "altered"
	// NotFromUs: nothing in the message proves otpd sent it (Reasons say
	// why).
	NotFromUs Verdict = "not_from_us"
)

// Reason is why a message is judged not to be from otpd.
type Reason string

const (
	ReasonNoSignature  Reason = "no_signature"  // no DKIM signature at all
	ReasonBadSignature Reason = "bad_signature" // one claims our key and does not verify
	ReasonOtherKey     Reason = "other_key"     // signed, but by a key that is not ours
	ReasonMisaligned   Reason = "misaligned"    // the From domain is not the signing domain
	ReasonNoReference  Reason = "no_reference"  // it carries no reference or Message-ID
	ReasonUnknownRef   Reason = "unknown_reference"
	ReasonLinksAway    Reason = "links_elsewhere" // a link leads somewhere other than otpd
)

// Change is how a message otpd sent was altered after it left.
type Change string

const (
	ChangeBody        Change = "body"         // the text was changed (the body hash fails)
	ChangeHeader      Change = "header"       // a signed header was changed
	ChangeAddedHeader Change = "added_header" // a header a reader relies on was added, unsigned
	ChangeLinks       Change = "links"        // it now links elsewhere
)

// SigResult is how one DKIM signature fared.
type SigResult string

const (
	SigValid       SigResult = "valid"
	SigBodyChanged SigResult = "body_changed"
	SigFailed      SigResult = "failed"    // our key, but the signature does not verify
	SigNotOurs     SigResult = "not_ours"  // a domain or selector that is not ours
	SigMalformed   SigResult = "malformed" // unreadable, or beyond the limit verified
)

// Signature is one DKIM signature of the message.
type Signature struct {
	Domain, Selector, Algorithm string
	Result                      SigResult
	// headers are the fields it signs (h=), repeats included: an
	// oversigned From is there twice.
	headers []string
}

// Link is one link in the message and whether it leads to otpd.
type Link struct {
	URL  string // as written, cut to a readable length
	Host string
	Ours bool
}

// CodeResult says whether the code in a message is the one otpd made for
// its request. It never says whether the code would still work.
type CodeResult string

const (
	CodeNone       CodeResult = ""            // the message carries no code
	CodeMatches    CodeResult = "matches"     // it is the code otpd sent
	CodeDiffers    CodeResult = "differs"     // it is not
	CodeNotChecked CodeResult = "not_checked" // the message was altered: its code is not compared
)

// Report is everything a check found, typed; the presentation words it.
type Report struct {
	Verdict Verdict
	Reasons []Reason // for NotFromUs
	Changes []Change // for Altered

	Signatures []Signature
	FromDomain string
	Aligned    bool
	Ref        string // the reference the message carries, canonical; "" for none
	MessageID  string
	// RefValid: the reference is the MAC of the Message-ID, which only
	// otpd can make.
	RefValid bool
	// Sent is otpd's record of the message, when the reference and
	// Message-ID match one; nil otherwise.
	Sent  *otpd.SentMessage
	Links []Link
	Code  CodeResult
	// Received are the hosts named by the Received headers, newest
	// first, as the message claims them: a forgery report keeps them.
	Received []string
	// LinkHosts are the distinct hosts of links that do not lead to
	// otpd.
	LinkHosts []string
}

// SentAt is when otpd queued the message, zero when it did not.
func (r Report) SentAt() time.Time {
	if r.Sent == nil {
		return time.Time{}
	}
	return r.Sent.CreatedAt
}

// Forgery is what a report of a message that is not ours keeps: the
// domains it claims and is signed by, where its links lead and the path
// it claims to have come by.
func (r Report) Forgery() otpd.Forgery {
	f := otpd.Forgery{FromDomain: r.FromDomain, LinkHosts: r.LinkHosts, Received: r.Received}
	for _, s := range r.Signatures {
		if s.Domain != "" {
			f.SigningDomains = append(f.SigningDomains, s.Domain)
		}
	}
	for _, why := range r.Reasons {
		f.Reasons = append(f.Reasons, string(why))
	}
	return f
}
