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
	"net/netip"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// Place is where an IP address is, as far as a GeoIP database knows. The
// zero Place is "unknown".
type Place struct {
	// Country is the ISO 3166-1 alpha-2 code, "" when unknown.
	Country string
	// CountryName is the country's name in English.
	CountryName string
	City        string
	// Lat and Lon are degrees, meaningful only when HasCoords is set.
	Lat, Lon  float64
	HasCoords bool
}

// String names the place for a person: "Lagos, Nigeria", "Nigeria", or
// "unknown place".
func (p Place) String() string {
	country := p.CountryName
	if country == "" {
		country = p.Country
	}
	switch {
	case p.City != "" && country != "":
		return p.City + ", " + country
	case p.City != "":
		return p.City
	case country != "":
		return country
	}
	return "unknown place"
}

// Locator finds the place of an IP address. It never fails: what it does
// not know is the zero Place.
type Locator interface {
	Locate(ip netip.Addr) Place
}

// NoGeoIP is the Locator for a server without a GeoIP database: every
// place is unknown.
type NoGeoIP struct{}

// Locate returns the zero Place.
func (NoGeoIP) Locate(netip.Addr) Place { return Place{} }

// countryName names an ISO code in English from CLDR's data, for databases
// that carry only codes. It returns "" for a code CLDR does not know.
func countryName(code string) string {
	r, err := language.ParseRegion(code)
	if err != nil || !r.IsCountry() {
		return ""
	}
	return display.English.Regions().Name(r)
}
