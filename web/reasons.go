package web

import (
	"slices"
	"strings"
)

// A right password from an unfamiliar context leads to the code page,
// which says why a code is needed. The reasons travel in the page's URL
// as short keys and are shown only in the words below, so that a crafted
// link cannot put text of its choosing on our page.
var reasonText = map[string]string{
	"both":    "Your account asks for a password and a code at every sign-in.",
	"device":  "We don't recognise this device.",
	"country": "You have not signed in from this country before.",
	"travel":  "Your last sign-in came from too far away for anyone to have travelled here since.",
	"guard":   "Your account is on guard after a report of a code someone else asked for.",
	"attack":  "Your account is under attack: codes for it are being asked for from many places.",
	"other":   "Something about this sign-in is unusual.",
}

// reasonOrder is the order reasons are shown in.
var reasonOrder = []string{"both", "device", "country", "travel", "guard", "attack", "other"}

// reasonKeys turns the engine's reasons ("new device", "new country: NG",
// "impossible travel: 4,990 km in 20 min", ...) into URL keys; one it does
// not know yet is "other".
func reasonKeys(reasons []string) []string {
	var keys []string
	for _, r := range reasons {
		key := "other"
		switch {
		case strings.HasPrefix(r, "this account asks for a password and a code"):
			key = "both"
		case r == "new device":
			key = "device"
		case strings.HasPrefix(r, "new country"):
			key = "country"
		case strings.HasPrefix(r, "impossible travel"):
			key = "travel"
		case strings.HasPrefix(r, "account guard"):
			key = "guard"
		case strings.HasPrefix(r, "account under attack"):
			key = "attack"
		}
		if !slices.Contains(keys, key) {
			keys = append(keys, key)
		}
	}
	return keys
}

// reasonWords returns the plain words for the keys of a URL, ignoring
// keys it does not know and repeats.
func reasonWords(keys []string) []string {
	var words []string
	for _, k := range reasonOrder {
		if slices.Contains(keys, k) {
			words = append(words, reasonText[k])
		}
	}
	return words
}
