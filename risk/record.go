package risk

import "github.com/otpd/otpd"

// record is what otpd reads of a database record. Two layouts are in use,
// and record decodes both:
//
//   - GeoIP2's, written by MaxMind (GeoLite2, GeoIP2), by DB-IP for its own
//     .mmdb files, and by package geotest: nested maps, as in
//     {"country": {"iso_code": "NG", "names": {"en": "Nigeria"}},
//     "city": {"names": {"en": "Lagos"}}, "location": {"latitude": 6.45, ...}}.
//   - The flat one of the ip-location-db packages: {"country_code": "NG",
//     "city": "Lagos", "latitude": 6.45, "longitude": 3.39}, without
//     country names.
//
// "city" is a map in one and a string in the other, hence City any.
type record struct {
	Country struct {
		ISOCode string `maxminddb:"iso_code"`
		Names   struct {
			EN string `maxminddb:"en"`
		} `maxminddb:"names"`
	} `maxminddb:"country"`
	City     any `maxminddb:"city"`
	Location struct {
		Latitude  *float64 `maxminddb:"latitude"`
		Longitude *float64 `maxminddb:"longitude"`
	} `maxminddb:"location"`

	CountryCode string   `maxminddb:"country_code"`
	Latitude    *float64 `maxminddb:"latitude"`
	Longitude   *float64 `maxminddb:"longitude"`
}

func (r record) place() otpd.Place {
	p := otpd.Place{Country: r.Country.ISOCode, CountryName: r.Country.Names.EN, City: cityName(r.City)}
	if p.Country == "" {
		p.Country = r.CountryCode
	}
	if !isCountryCode(p.Country) {
		return otpd.Place{}
	}
	if p.CountryName == "" {
		p.CountryName = countryName(p.Country)
	}
	lat, lon := r.Location.Latitude, r.Location.Longitude
	if lat == nil || lon == nil {
		lat, lon = r.Latitude, r.Longitude
	}
	// Without a city, coordinates are the middle of the country, which
	// says nothing about how far a person travelled.
	if p.City != "" && lat != nil && lon != nil && *lat >= -90 && *lat <= 90 && *lon >= -180 && *lon <= 180 {
		p.Lat, p.Lon, p.HasCoords = *lat, *lon, true
	}
	return p
}

func cityName(v any) string {
	switch c := v.(type) {
	case string:
		return c
	case map[string]any:
		names, _ := c["names"].(map[string]any)
		name, _ := names["en"].(string)
		return name
	}
	return ""
}

// isCountryCode accepts two capital letters. Anything else in the country
// field is not a code a person or the engine can use.
func isCountryCode(s string) bool {
	return len(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z'
}
