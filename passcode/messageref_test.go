package passcode_test

import (
	"bytes"
	"regexp"
	"testing"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/passcode"
)

// A reference is stable for a Message-ID, differs between Message-IDs and
// between secrets, is written in otpd's alphabet, and reads back through
// otpd.ParseMessageRef unchanged.
func TestMessageRef(t *testing.T) {
	b := newBook(t, 9)
	shape := regexp.MustCompile(`^[` + otpd.RefAlphabet + `]{4}-[` + otpd.RefAlphabet + `]{4}$`)
	seen := map[string]string{}
	for i := range 2000 {
		id := "<" + string(rune('a'+i%26)) + string(rune('0'+i/26%10)) + string(rune('A'+i/260)) + "@otpd.test>"
		ref := b.MessageRef(id)
		if !shape.MatchString(ref) {
			t.Fatalf("MessageRef(%s) = %q, not of the form XXXX-XXXX in %s", id, ref, otpd.RefAlphabet)
		}
		if ref != b.MessageRef(id) {
			t.Fatalf("MessageRef(%s) is not stable", id)
		}
		if got, err := otpd.ParseMessageRef(ref); err != nil || got != ref {
			t.Fatalf("ParseMessageRef(%q) = %q, %v", ref, got, err)
		}
		if other, ok := seen[ref]; ok && other != id {
			t.Fatalf("%s and %s share reference %s among 2000", id, other, ref)
		}
		seen[ref] = id
	}
	other, err := passcode.New(bytes.Repeat([]byte{8}, passcode.MinSecretLen), 9)
	if err != nil {
		t.Fatal(err)
	}
	if other.MessageRef("<x@otpd.test>") == b.MessageRef("<x@otpd.test>") {
		t.Error("two secrets give one message the same reference")
	}
}
