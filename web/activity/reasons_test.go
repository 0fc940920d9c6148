package activity

import (
	"slices"
	"strings"
	"testing"

	"github.com/otpd/otpd"
)

func TestReasonsTravelAsKeys(t *testing.T) {
	keys := ReasonKeys([]otpd.CodeReason{{Kind: otpd.ReasonTravel, Specifics: "4,990 km in 20 min"},
		{Kind: otpd.ReasonNewDevice}, {Kind: otpd.ReasonNewCountry, Specifics: "NG"}, {Kind: otpd.ReasonGuard},
		{Kind: otpd.ReasonAttack}, {Kind: otpd.ReasonNewDevice}, {Kind: otpd.ReasonBoth}})
	if want := []string{"travel", "device", "country", "guard", "attack", "both"}; !slices.Equal(keys, want) {
		t.Errorf("keys %q, want %q", keys, want)
	}
	words := ReasonWords(en, keys)
	if len(words) != len(otpd.CodeReasonKinds()) || words[1] != en.T("act.reason.device") {
		t.Errorf("words %q: want all of them, in order", words)
	}
	for _, w := range words {
		if w == "" || strings.Contains(w, "⟦") {
			t.Errorf("a reason has no sentence: %q", words)
		}
	}
	// A crafted URL shows nothing of its own.
	if got := ReasonWords(en, []string{"<b>call us</b>", "device", "device"}); !slices.Equal(got, []string{en.T("act.reason.device")}) {
		t.Errorf("reasonWords of a crafted URL = %q", got)
	}
}
