package web

import (
	"slices"
	"testing"
)

func TestReasonsTravelAsKeys(t *testing.T) {
	keys := reasonKeys([]string{"impossible travel: 4,990 km in 20 min", "new device", "new country: NG",
		"account guard raised after a report", "account under attack", "something new", "also new",
		"this account asks for a password and a code"})
	if want := []string{"travel", "device", "country", "guard", "attack", "other", "both"}; !slices.Equal(keys, want) {
		t.Errorf("keys %q, want %q", keys, want)
	}
	words := reasonWords(keys)
	if len(words) != len(reasonOrder) || words[1] != reasonText["device"] {
		t.Errorf("words %q: want all of them, in order", words)
	}
	// A crafted URL shows nothing of its own.
	if got := reasonWords([]string{"<b>call us</b>", "device", "device"}); !slices.Equal(got, []string{reasonText["device"]}) {
		t.Errorf("reasonWords of a crafted URL = %q", got)
	}
}
