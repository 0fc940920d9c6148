package msgcheck_test

import (
	"bytes"
	"context"
	"errors"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/dkim"
	"github.com/otpd/otpd/mail"
	"github.com/otpd/otpd/msgcheck"
	"github.com/otpd/otpd/passcode"
)

// records is otpd's record of what it sent, held in memory: the checks
// here are of the verifier's rules; cmd/otpd checks messages that went
// through the real server and store.
type records struct {
	sent       []otpd.SentMessage
	challenges map[string]otpd.Challenge
}

func (r *records) MessagesByRef(_ context.Context, ref string) ([]otpd.SentMessage, error) {
	var out []otpd.SentMessage
	for _, m := range r.sent {
		if m.Ref == ref {
			out = append(out, m)
		}
	}
	return out, nil
}

func (r *records) Challenge(_ context.Context, id string) (otpd.Challenge, error) {
	ch, ok := r.challenges[id]
	if !ok {
		return otpd.Challenge{}, otpd.ErrNotFound
	}
	return ch, nil
}

type rig struct {
	book    *passcode.Book
	signer  *dkim.Signer
	checker *msgcheck.Checker
	recs    *records
}

var at = time.Date(2026, 11, 23, 14, 2, 0, 0, time.UTC)

func newRig(t *testing.T) *rig {
	t.Helper()
	book, err := passcode.New(bytes.Repeat([]byte{9}, passcode.MinSecretLen), 9)
	if err != nil {
		t.Fatal(err)
	}
	key, err := dkim.GenerateRSA()
	if err != nil {
		t.Fatal(err)
	}
	signer := &dkim.Signer{Domain: "example.com", Selector: "otpd", RSA: key}
	recs := &records{challenges: map[string]otpd.Challenge{}}
	origin, _ := url.Parse("https://login.example.com")
	_, record, err := dkim.TXTRecord("otpd", "example.com", key.Public())
	if err != nil {
		t.Fatal(err)
	}
	return &rig{book: book, signer: signer, recs: recs, checker: &msgcheck.Checker{
		Keys:   []msgcheck.Key{{Domain: "example.com", Selector: "otpd", Record: record}},
		Origin: origin, Ref: book.MessageRef, MAC: book.MAC, Records: recs,
	}}
}

// send composes, renders and signs a code message as the server does,
// and records it; it returns the raw message.
func (r *rig) send(t *testing.T, chID string) []byte {
	t.Helper()
	msgID := "<" + chID + "@login.example.com>"
	ref := r.book.MessageRef(msgID)
	code := "123456789"
	to := otpd.MustParseAddress("ada@example.org")
	c := &mail.Composer{From: "Example <accounts@example.com>", PublicURL: "https://login.example.com", Product: "Example"}
	e, err := c.Compose(otpd.OutboxMessage{ID: "m-" + chID, ChallengeID: chID, MessageID: msgID, Ref: ref,
		Kind: otpd.MessageCode, To: to, CreatedAt: at}, otpd.MessageData{
		Code: code, Purpose: otpd.PurposeSignIn, RequestedAt: at, ExpiresAt: at.Add(10 * time.Minute),
		IP: "198.51.100.7", UserAgent: "curl/8", DenyToken: r.book.DenyToken(chID)})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := mail.Render(e)
	if err != nil {
		t.Fatal(err)
	}
	if raw, err = r.signer.Sign(raw); err != nil {
		t.Fatal(err)
	}
	r.recs.sent = append(r.recs.sent, otpd.SentMessage{Ref: ref, MessageID: msgID, Kind: otpd.MessageCode,
		To: to, CreatedAt: at, State: otpd.MessageSent, ChallengeID: chID})
	r.recs.challenges[chID] = otpd.Challenge{ID: chID, CodeMAC: r.book.MAC(chID, code)}
	return raw
}

func (r *rig) check(t *testing.T, raw []byte) msgcheck.Report {
	t.Helper()
	rep, err := r.checker.Check(t.Context(), bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// body returns the decoded text of raw after replacing old with new in
// its quoted-printable body, which leaves short ASCII strings as they are.
func replace(t *testing.T, raw []byte, old, new string) []byte {
	t.Helper()
	if !bytes.Contains(raw, []byte(old)) {
		t.Fatalf("the message has no %q", old)
	}
	return bytes.Replace(raw, []byte(old), []byte(new), 1)
}

func TestGenuine(t *testing.T) {
	r := newRig(t)
	raw := r.send(t, "ch1")
	rep := r.check(t, raw)
	if rep.Verdict != msgcheck.Genuine || len(rep.Changes) != 0 || !rep.Aligned || !rep.RefValid || rep.Sent == nil {
		t.Fatalf("report %+v, want genuine", rep)
	}
	if rep.Code != msgcheck.CodeMatches {
		t.Errorf("code %q, want matches", rep.Code)
	}
	if len(rep.Links) == 0 || slices.ContainsFunc(rep.Links, func(l msgcheck.Link) bool { return !l.Ours }) {
		t.Errorf("links %+v, want all ours", rep.Links)
	}
	// A message saved with LF line ends, as mail clients and a paste do,
	// is the same message.
	lf := bytes.ReplaceAll(raw, []byte("\r\n"), []byte("\n"))
	if rep := r.check(t, lf); rep.Verdict != msgcheck.Genuine {
		t.Errorf("with LF line ends: %+v", rep)
	}
}

func TestAltered(t *testing.T) {
	r := newRig(t)
	for _, c := range []struct {
		name  string
		alter func([]byte) []byte
		want  []msgcheck.Change
	}{
		{"body", func(raw []byte) []byte {
			return replace(t, raw, "Who asked for it", "Who wanted it")
		}, []msgcheck.Change{msgcheck.ChangeBody}},
		{"subject", func(raw []byte) []byte {
			return replace(t, raw, "Subject: ", "Subject: URGENT ")
		}, []msgcheck.Change{msgcheck.ChangeHeader}},
		{"link", func(raw []byte) []byte {
			return bytes.ReplaceAll(raw, []byte("https://login.example.com/deny/"), []byte("https://login.example.net/deny/"))
		}, []msgcheck.Change{msgcheck.ChangeBody, msgcheck.ChangeLinks}},
		{"reply-to added", func(raw []byte) []byte {
			return replace(t, raw, "Subject: ", "Reply-To: <help@evil.example>\r\nSubject: ")
		}, []msgcheck.Change{msgcheck.ChangeAddedHeader}},
	} {
		t.Run(c.name, func(t *testing.T) {
			rep := r.check(t, c.alter(r.send(t, "ch-"+c.name)))
			if rep.Verdict != msgcheck.Altered || !slices.Equal(rep.Changes, c.want) {
				t.Fatalf("verdict %s, changes %v; want altered, %v (%+v)", rep.Verdict, rep.Changes, c.want, rep)
			}
			if rep.Sent == nil || rep.Sent.To.Masked() == "" {
				t.Errorf("the record of the message is not in the report: %+v", rep)
			}
			if rep.Code != msgcheck.CodeNotChecked {
				t.Errorf("the code of an altered message was compared: %q", rep.Code)
			}
		})
	}
}

func TestNotFromUs(t *testing.T) {
	r := newRig(t)
	other, err := dkim.GenerateRSA()
	if err != nil {
		t.Fatal(err)
	}
	raw := r.send(t, "ch1")
	unsigned := unsign(raw)
	for _, c := range []struct {
		name string
		raw  func() []byte
		want []msgcheck.Reason
	}{
		{"no signature", func() []byte {
			return unsigned
		}, []msgcheck.Reason{msgcheck.ReasonNoSignature}},
		{"re-signed by another domain's key", func() []byte {
			s := &dkim.Signer{Domain: "example.net", Selector: "mail", RSA: other}
			out, err := s.Sign(unsigned)
			if err != nil {
				t.Fatal(err)
			}
			return out
		}, []msgcheck.Reason{msgcheck.ReasonOtherKey}},
		{"forged with our selector and another key, and a made-up reference", func() []byte {
			forged := bytes.ReplaceAll(unsigned, []byte(r.book.MessageRef("<ch1@login.example.com>")), []byte("AAAA-BBBB"))
			forged = bytes.ReplaceAll(forged, []byte("https://login.example.com/deny/"), []byte("https://login-example.com/deny/"))
			s := &dkim.Signer{Domain: "example.com", Selector: "otpd", RSA: other}
			out, err := s.Sign(forged)
			if err != nil {
				t.Fatal(err)
			}
			return out
		}, []msgcheck.Reason{msgcheck.ReasonBadSignature, msgcheck.ReasonUnknownRef, msgcheck.ReasonLinksAway}},
		{"hand-made copy of the template", func() []byte {
			return []byte("From: Example <accounts@example.com>\r\nTo: ada@example.org\r\nSubject: Your sign-in code\r\n" +
				"Message-ID: <x@evil.example>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
				"Use this code to sign in at Example:\r\n\r\n123 456 789\r\n\r\nThis wasn't me: https://evil.example/deny/x\r\n" +
				"Sent by Example to ada@example.org. Ref K7QP-2MXD.\r\n")
		}, []msgcheck.Reason{msgcheck.ReasonNoSignature, msgcheck.ReasonUnknownRef, msgcheck.ReasonLinksAway}},
	} {
		t.Run(c.name, func(t *testing.T) {
			rep := r.check(t, c.raw())
			if rep.Verdict != msgcheck.NotFromUs || !slices.Equal(rep.Reasons, c.want) {
				t.Fatalf("verdict %s, reasons %v; want not from us, %v (%+v)", rep.Verdict, rep.Reasons, c.want, rep)
			}
			if rep.Code == msgcheck.CodeMatches || rep.Code == msgcheck.CodeDiffers {
				t.Errorf("the code of a forgery was compared: %q", rep.Code)
			}
		})
	}
}

// A reference copied from a real message into a forgery, with the real
// message's Message-ID, finds the record but not our signature: it is not
// from us, and its code is never compared (which would make the check an
// oracle for codes).
func TestCopiedReferenceIsNoOracle(t *testing.T) {
	r := newRig(t)
	unsigned := unsign(r.send(t, "ch1"))
	guess := bytes.Replace(unsigned, []byte("123 456 789"), []byte("123 456 780"), 2)
	rep := r.check(t, guess)
	if rep.Verdict != msgcheck.NotFromUs || rep.Code != msgcheck.CodeNotChecked {
		t.Fatalf("verdict %s, code %q: want not from us, code not checked", rep.Verdict, rep.Code)
	}
}

// Hostile uploads are refused with an error naming the message, quickly
// and without reading past the limits.
func TestHostileMessagesAreRefused(t *testing.T) {
	r := newRig(t)
	r.checker.Limits = msgcheck.Limits{Size: 64 << 10, Decoded: 32 << 10}
	nest := func(depth int) string {
		var b strings.Builder
		b.WriteString("From: a@example.com\r\nContent-Type: multipart/mixed; boundary=b" + itoa(0) + "\r\n\r\n")
		for i := range depth {
			b.WriteString("--b" + itoa(i) + "\r\nContent-Type: multipart/mixed; boundary=b" + itoa(i+1) + "\r\n\r\n")
		}
		return b.String()
	}
	parts := func(n int) string {
		var b strings.Builder
		b.WriteString("From: a@example.com\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n")
		for range n {
			b.WriteString("--x\r\nContent-Type: text/plain\r\n\r\nhi\r\n")
		}
		return b.String() + "--x--\r\n"
	}
	bomb := "From: a@example.com\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		strings.Repeat("QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB\r\n", 700)
	for name, raw := range map[string]string{
		"empty":             "",
		"too large":         "From: a@example.com\r\n\r\n" + strings.Repeat("x", 65<<10),
		"no header":         "\x00\x01\x02",
		"deep nesting":      nest(40),
		"many parts":        parts(200),
		"decodes too large": bomb,
		"invalid utf-8":     "From: a@example.com\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\xff\xfe bad",
		"invalid header":    "From: \xff@example.com\r\n\r\nhi",
		"bad boundary":      "From: a@example.com\r\nContent-Type: multipart/mixed\r\n\r\n--x\r\n",
		"other charset":     "From: a@example.com\r\nContent-Type: text/plain; charset=koi8-r\r\n\r\nhi",
		"bad encoding":      "From: a@example.com\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: x-uuencode\r\n\r\nhi",
		"malformed type":    "From: a@example.com\r\nContent-Type: text/;;;\r\n\r\nhi",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := r.checker.Check(t.Context(), strings.NewReader(raw))
			var e *otpd.Error
			if !errors.As(err, &e) || e.Code != otpd.EInvalid || e.Field != "message" {
				t.Fatalf("Check = %v, want an invalid-request error naming the message", err)
			}
		})
	}
	// A zip bomb attached is counted, never unpacked: the message is
	// checked (and is no message of ours).
	zip := "From: a@example.com\r\nContent-Type: multipart/mixed; boundary=z\r\n\r\n--z\r\nContent-Type: text/plain\r\n\r\nhi\r\n" +
		"--z\r\nContent-Type: application/zip\r\nContent-Transfer-Encoding: base64\r\n\r\n" + strings.Repeat("UEsDBBQAAAAI\r\n", 1000) + "--z--\r\n"
	if rep, err := r.checker.Check(t.Context(), strings.NewReader(zip)); err != nil || rep.Verdict != msgcheck.NotFromUs {
		t.Errorf("a message with a zip attached: %v, %+v", err, rep.Verdict)
	}
}

// unsign drops the DKIM-Signature fields (the signer puts them first).
func unsign(raw []byte) []byte {
	for bytes.HasPrefix(raw, []byte("DKIM-Signature:")) {
		i := bytes.Index(raw, []byte("\r\n"))
		for raw = raw[i+2:]; raw[0] == ' ' || raw[0] == '\t'; raw = raw[bytes.Index(raw, []byte("\r\n"))+2:] {
		}
	}
	return raw
}

func itoa(i int) string { return string(rune('a'+i%26)) + string(rune('a'+i/26)) }

func TestLookupRef(t *testing.T) {
	r := newRig(t)
	r.send(t, "ch1")
	ref := r.book.MessageRef("<ch1@login.example.com>")
	got, err := r.checker.LookupRef(t.Context(), strings.ToLower(strings.ReplaceAll(ref, "-", " ")))
	if err != nil || got == nil || got.ChallengeID != "ch1" {
		t.Fatalf("LookupRef(%s) = %+v, %v", ref, got, err)
	}
	if got, err := r.checker.LookupRef(t.Context(), "AAAA-BBBB"); err != nil || got != nil {
		t.Errorf("an unknown reference found %+v, %v", got, err)
	}
	// A record whose reference is not the MAC of its Message-ID (another
	// secret's, or planted) is not ours.
	r.recs.sent = append(r.recs.sent, otpd.SentMessage{Ref: "CCCC-DDDD", MessageID: "<x@example.com>"})
	if got, err := r.checker.LookupRef(t.Context(), "CCCC-DDDD"); err != nil || got != nil {
		t.Errorf("a record that is not the MAC of its Message-ID was found: %+v, %v", got, err)
	}
	if _, err := r.checker.LookupRef(t.Context(), "not a ref"); err == nil {
		t.Error("a malformed reference was looked up")
	}
}
