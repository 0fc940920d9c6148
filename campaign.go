package otpd

import (
	"slices"
	"time"
)

// Campaign is a flood of code requests for one account from scattered
// networks: an attack, shown to the owner as one entry with its count,
// places and span rather than as hundreds of requests.
type Campaign struct {
	ID        string
	AccountID string
	StartedAt time.Time
	LastAt    time.Time
	// Requests counts the code requests of the campaign, the first ones
	// that revealed it included.
	Requests int
	// Places are the distinct places the requests came from, as people
	// read them, in order of first appearance (at most MaxCampaignPlaces).
	Places []string
	// Until is when the account stops being under attack, unless the
	// flood goes on.
	Until time.Time
}

// MaxCampaignPlaces bounds the places a campaign keeps: a botnet can
// bring thousands.
const MaxCampaignPlaces = 20

// AddPlace returns places with p added once, up to MaxCampaignPlaces; an
// unknown place ("") adds nothing.
func AddPlace(places []string, p string) []string {
	if p == "" || len(places) >= MaxCampaignPlaces || slices.Contains(places, p) {
		return places
	}
	return append(places, p)
}
