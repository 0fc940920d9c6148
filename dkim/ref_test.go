package dkim_test

import (
	"strings"
	"testing"
)

// A message with a reference has it signed: the signature verifies, and
// breaks when the reference is changed, since the check of a message
// reads it.
func TestSignCoversTheReference(t *testing.T) {
	s, records := testSigner(t)
	withRef := strings.Replace(message, "MIME-Version:", "Otpd-Ref: K7QP-2MXD\r\nMIME-Version:", 1)
	signed, err := s.Sign([]byte(withRef))
	if err != nil {
		t.Fatal(err)
	}
	if head := unfold(string(signed[:len(signed)-len(withRef)])); !strings.Contains(head, "Content-Type:Otpd-Ref:From;") {
		t.Errorf("the reference is not signed:\n%s", head)
	}
	for name, raw := range map[string]string{
		"as signed": string(signed),
		"changed":   strings.Replace(string(signed), "Otpd-Ref: K7QP-2MXD", "Otpd-Ref: AAAA-BBBB", 1),
	} {
		errs, _ := verify(t, []byte(raw), records)
		for i, err := range errs {
			if (err == nil) != (name == "as signed") {
				t.Errorf("%s: signature %d: %v", name, i, err)
			}
		}
	}
}
