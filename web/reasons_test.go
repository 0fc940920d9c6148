package web

import (
	"slices"
	"testing"
)

func TestReasonsTravelAsKeys(t *testing.T) {
	keys := reasonKeys([]string{"impossible travel: 4,990 km in 20 min", "new device", "new country: NG",
		"account guard raised after a report or an attack", "something new", "also new"})
	if want := []string{"travel", "device", "country", "guard", "other"}; !slices.Equal(keys, want) {
		t.Errorf("keys %q, want %q", keys, want)
	}
	words := reasonWords(keys)
	if len(words) != 5 || words[0] != reasonText["device"] {
		t.Errorf("words %q: want all five, the device first", words)
	}
	// A crafted URL shows nothing of its own.
	if got := reasonWords([]string{"<b>call us</b>", "device", "device"}); !slices.Equal(got, []string{reasonText["device"]}) {
		t.Errorf("reasonWords of a crafted URL = %q", got)
	}
}
