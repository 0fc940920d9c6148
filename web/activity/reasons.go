package activity

import (
	"slices"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/catalog"
)

// A right password from an unfamiliar context leads to the code page,
// which says why a code is needed. The reasons travel in the page's URL
// as their kinds and are shown only in the domain's words for them, so
// that a crafted link cannot put text of its choosing on our page.

// ReasonKeys are the kinds of the engine's reasons, each once, for a URL.
func ReasonKeys(reasons []otpd.CodeReason) []string {
	var keys []string
	for _, r := range reasons {
		if k := string(r.Kind); !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	return keys
}

// ReasonWords returns the sentences for the keys of a URL in l
// (act.reason.<kind>), in the order pages show them, ignoring keys it
// does not know and repeats.
func ReasonWords(l catalog.Lang, keys []string) []string {
	var said []string
	for _, k := range otpd.CodeReasonKinds() {
		if slices.Contains(keys, string(k)) {
			said = append(said, l.T("act.reason."+string(k)))
		}
	}
	return said
}
