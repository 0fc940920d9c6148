package otpd

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// RefAlphabet is the alphabet of message references: Crockford's base32,
// digits and capitals without I, L, O and U, which are read or typed for
// one another. ParseMessageRef takes I and L for 1 and O for 0, as people
// type them.
const RefAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// RefLen is the number of characters of a reference, not counting the
// dash: 40 bits of an HMAC, too many to guess by asking (the check is
// rate-limited per IP) and few enough to read out over the phone.
const RefLen = 8

// RefHeader is the header that carries a message's reference. It has no
// "X-" prefix (RFC 6648), and the DKIM signature covers it (see dkim's
// RefHeader for why the name is short).
const RefHeader = "Otpd-Ref"

// ParseMessageRef turns what a person typed ("k7qp 2mxd", "Ref K7QP-2MXD")
// into the canonical form "K7QP-2MXD". It refuses anything else with an
// error that names the field "reference".
func ParseMessageRef(s string) (string, error) {
	s = strings.TrimSpace(s)
	if len(s) > 64 {
		return "", badRef()
	}
	upper := strings.ToUpper(s)
	// "Ref K7QP-2MXD" as the message writes it; "REF" alone could begin
	// a reference.
	for _, p := range []string{"REF ", "REF:", "REF\u00a0"} {
		upper = strings.TrimPrefix(upper, p)
	}
	var b strings.Builder
	for _, r := range upper {
		switch {
		case r == ' ' || r == '-' || r == ':' || r == '\t' || r == '\u00a0':
			continue
		case r == 'O':
			r = '0'
		case r == 'I' || r == 'L':
			r = '1'
		}
		if !strings.ContainsRune(RefAlphabet, r) {
			return "", badRef()
		}
		b.WriteRune(r)
	}
	out := b.String()
	if len(out) != RefLen {
		return "", badRef()
	}
	return out[:4] + "-" + out[4:], nil
}

func badRef() error {
	return &Error{Code: EInvalid, Field: "reference",
		Message: fmt.Sprintf("a reference is %d letters and digits, like K7QP-2MXD", RefLen)}
}

// SentMessage is what otpd keeps of a message it queued, for the check
// of a message someone holds: not its content (the payload is wiped once
// delivered), but what it was, to whom and when, and the challenge it was
// about.
type SentMessage struct {
	Ref         string
	MessageID   string
	Kind        MessageKind
	To          Address
	CreatedAt   time.Time
	State       MessageState
	ChallengeID string
}

// SentMessageStore finds the messages otpd sent by their reference.
type SentMessageStore interface {
	// MessagesByRef returns the messages with the reference ref (in
	// canonical form), newest first; none is no error. References are 40
	// bits of a MAC, so two messages may share one, rarely: the
	// Message-ID tells them apart.
	MessagesByRef(ctx context.Context, ref string) ([]SentMessage, error)
}
