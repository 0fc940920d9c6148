package msgcheck

import (
	"bytes"
	"errors"
	"strings"

	msgauth "github.com/emersion/go-msgauth/dkim"
)

// Key is one of otpd's DKIM public keys: the current ones, and the
// previous ones that messages still in inboxes were signed with. Record
// is its DNS TXT value, as dkim.TXTRecord makes it: the check answers
// its own lookups from these, and asks no DNS.
type Key struct {
	Domain, Selector, Record string
}

// errNotOurKey answers the lookup of a key that is not ours: the check
// asks no DNS, so a message signed by another key cannot verify here.
var errNotOurKey = errors.New("not one of our keys")

// records are the TXT records of keys, by name.
func records(keys []Key) map[string]string {
	out := make(map[string]string, len(keys))
	for _, k := range keys {
		out[strings.ToLower(k.Selector+"._domainkey."+k.Domain)] = k.Record
	}
	return out
}

// verify checks the message's DKIM signatures against our keys only, and
// says of each whether it is ours and holds.
func verify(raw []byte, recs map[string]string, max int) []Signature {
	sigs := signatureTags(raw)
	if len(sigs) == 0 {
		return nil
	}
	vs, err := msgauth.VerifyWithOptions(bytes.NewReader(raw), &msgauth.VerifyOptions{
		LookupTXT: func(name string) ([]string, error) {
			if v, ok := recs[strings.ToLower(name)]; ok {
				return []string{v}, nil
			}
			return nil, errNotOurKey
		},
		MaxVerifications: max,
	})
	if err != nil && !errors.Is(err, msgauth.ErrTooManySignatures) {
		for i := range sigs {
			sigs[i].Result = SigMalformed
		}
		return sigs
	}
	for i := range sigs {
		if i >= len(vs) {
			sigs[i].Result = SigMalformed
			continue
		}
		sigs[i].Result = result(vs[i], sigs[i], recs)
	}
	return sigs
}

// result classifies one verification. go-msgauth words its failures in
// strings only; the two that matter here are fixed in its source.
func result(v *msgauth.Verification, s Signature, recs map[string]string) SigResult {
	if _, ours := recs[strings.ToLower(s.Selector+"._domainkey."+s.Domain)]; !ours {
		return SigNotOurs
	}
	switch {
	case v.Err == nil:
		return SigValid
	case strings.Contains(v.Err.Error(), "body hash did not verify"):
		return SigBodyChanged
	case strings.Contains(v.Err.Error(), "signature did not verify"):
		return SigFailed
	default:
		return SigMalformed
	}
}

// signatureTags reads d=, s= and a= of each DKIM-Signature header, in the
// order go-msgauth verifies them (top down).
func signatureTags(raw []byte) []Signature {
	end := bytes.Index(raw, []byte("\r\n\r\n"))
	if end < 0 {
		end = len(raw)
	}
	var out []Signature
	var cur *strings.Builder
	flush := func() {
		if cur == nil {
			return
		}
		out = append(out, parseTags(cur.String()))
		cur = nil
	}
	for line := range strings.SplitSeq(string(raw[:end]), "\r\n") {
		if line != "" && (line[0] == ' ' || line[0] == '\t') {
			if cur != nil {
				cur.WriteString(line)
			}
			continue
		}
		flush()
		k, v, ok := strings.Cut(line, ":")
		if ok && strings.EqualFold(strings.TrimSpace(k), "DKIM-Signature") {
			cur = &strings.Builder{}
			cur.WriteString(v)
		}
	}
	flush()
	return out
}

func parseTags(v string) Signature {
	var s Signature
	for tag := range strings.SplitSeq(v, ";") {
		k, val, _ := strings.Cut(tag, "=")
		val = strings.Join(strings.Fields(val), "")
		switch strings.TrimSpace(k) {
		case "d":
			s.Domain = strings.ToLower(val)
		case "s":
			s.Selector = val
		case "a":
			s.Algorithm = val
		case "h":
			s.headers = strings.Split(val, ":")
		}
	}
	return s
}
