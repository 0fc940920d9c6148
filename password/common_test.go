package password

import (
	"strings"
	"testing"
)

// The list is compared in lower case, so an entry with a capital letter, a
// stray space or an empty line would never match, or match too much.
func TestCommonListIsClean(t *testing.T) {
	set := common()
	if len(set) < 40000 {
		t.Fatalf("common list has %d entries, want the full list of about 49,000", len(set))
	}
	for pw := range set {
		if pw == "" || pw != strings.ToLower(pw) || pw != strings.TrimSpace(pw) {
			t.Errorf("entry %q is not a trimmed, lower-case password", pw)
		}
	}
	for _, pw := range []string{"123456", "password", "iloveyou", "qwertyuiop", "passwordpassword"} {
		if !isCommon(pw) {
			t.Errorf("%q is not on the list", pw)
		}
	}
}
