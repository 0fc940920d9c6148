package otpd

import "net/netip"

// Place is where an IP address is, as far as a GeoIP database can tell.
// The zero Place is an unknown one: without a database, or for an address
// it does not list, everything still works and the place reads "unknown".
type Place struct {
	// Country is the ISO 3166-1 alpha-2 code, e.g. "NG"; "" when unknown.
	Country     string
	CountryName string
	City        string
	// Lat and Lon are meaningful only when HasCoords is set: a country-level
	// database gives none, and 0,0 is a real place in the Gulf of Guinea.
	Lat, Lon  float64
	HasCoords bool
}

// String is the place as a person reads it: "Lagos, Nigeria", "Nigeria",
// or "" when unknown.
func (p Place) String() string {
	name := p.CountryName
	if name == "" {
		name = p.Country
	}
	switch {
	case p.City != "" && name != "":
		return p.City + ", " + name
	case name != "":
		return name
	}
	return p.City
}

// Known reports whether anything is known of the place.
func (p Place) Known() bool { return p.String() != "" }

// Locator places an IP address. It never fails: what it cannot place is
// the zero Place. Implementations are safe for concurrent use.
type Locator interface {
	Locate(ip netip.Addr) Place
}
