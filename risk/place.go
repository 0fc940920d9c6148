// Package risk tells where a request comes from and whether two requests
// could have come from one person: the place of an IP address from a GeoIP
// database, the distance between two places, and travel too fast to be
// real. The sign-in engine uses it to recognise unfamiliar places and to
// tell the owner of an address, in the code email and the activity page,
// roughly where a request came from.
//
// Everything here is advice. A place is approximate (city-level at best),
// an unknown place is normal, and nothing in this package fails a request.
package risk

import (
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// countryName names an ISO code in English from CLDR's data, for databases
// that carry only codes. It returns "" for a code CLDR does not know.
func countryName(code string) string {
	r, err := language.ParseRegion(code)
	if err != nil || !r.IsCountry() {
		return ""
	}
	return display.English.Regions().Name(r)
}
