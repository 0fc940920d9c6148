// Package geotest writes small GeoIP databases for tests, so that a test
// can put one address in London and another in Lagos and watch what the
// server makes of it:
//
//	path := geotest.Write(t, t.TempDir(), map[string]otpd.Place{
//		"203.0.113.0/24":  geotest.London,
//		"198.51.100.0/24": geotest.Lagos,
//		"2001:db8::/32":   geotest.NewYork,
//	})
//	geo, err := risk.OpenGeoIP(path)
//
// The files have the record layout of GeoLite2-City and of DB-IP's own
// City Lite .mmdb (country.iso_code, country.names.en, city.names.en,
// location.latitude, location.longitude), so a test reads them through
// the same code as a real database.
package geotest

import (
	"github.com/otpd/otpd"

	"cmp"
	"net"
	"net/netip"
	"os"
	"slices"
	"testing"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"

	"github.com/otpd/otpd/risk"
)

// Places for tests, far enough apart that travel between them in minutes
// is impossible.
var (
	London  = otpd.Place{Country: "GB", CountryName: "United Kingdom", City: "London", Lat: 51.5072, Lon: -0.1276, HasCoords: true}
	Lagos   = otpd.Place{Country: "NG", CountryName: "Nigeria", City: "Lagos", Lat: 6.5244, Lon: 3.3792, HasCoords: true}
	NewYork = otpd.Place{Country: "US", CountryName: "United States", City: "New York", Lat: 40.7128, Lon: -74.0060, HasCoords: true}
	Sydney  = otpd.Place{Country: "AU", CountryName: "Australia", City: "Sydney", Lat: -33.8688, Lon: 151.2093, HasCoords: true}
)

// Write builds a City database in dir (a new t.TempDir() when dir is "")
// that places each prefix, such as "203.0.113.0/24" or "2001:db8::/32",
// and returns the file's path. Where prefixes overlap, the longer one
// wins. The documentation ranges (192.0.2.0/24, 198.51.100.0/24,
// 203.0.113.0/24, 2001:db8::/32) are the ones to use: private, loopback
// and link-local addresses are never located. Write reads every prefix
// back through risk.OpenGeoIP and fails the test if one does not come
// back as given, so a test never runs against a database that says
// something else than it meant.
func Write(t testing.TB, dir string, places map[string]otpd.Place) string {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	tree, err := mmdbwriter.New(mmdbwriter.Options{
		DatabaseType:            "otpd-geotest-City",
		Description:             map[string]string{"en": "otpd test database"},
		Languages:               []string{"en"},
		IncludeReservedNetworks: true,
	})
	if err != nil {
		t.Fatalf("geotest: %v", err)
	}
	entries := parse(t, places)
	for _, e := range entries {
		network := &net.IPNet{IP: e.prefix.Addr().AsSlice(), Mask: net.CIDRMask(e.prefix.Bits(), e.prefix.Addr().BitLen())}
		if err := tree.Insert(network, record(e.place)); err != nil {
			t.Fatalf("geotest: insert %s: %v", e.prefix, err)
		}
	}
	f, err := os.CreateTemp(dir, "geotest-*.mmdb")
	if err != nil {
		t.Fatalf("geotest: %v", err)
	}
	defer f.Close()
	if _, err := tree.WriteTo(f); err != nil {
		t.Fatalf("geotest: write %s: %v", f.Name(), err)
	}
	if err := f.Close(); err != nil {
		t.Fatalf("geotest: write %s: %v", f.Name(), err)
	}
	check(t, f.Name(), entries)
	return f.Name()
}

type entry struct {
	prefix netip.Prefix
	place  otpd.Place
}

// parse returns the entries shortest prefix first, so that a longer one
// inserted later replaces its part of a shorter one. It refuses places
// that risk.GeoIP would not read back as given. The zero Place is allowed:
// it carves an unknown range out of a larger one.
func parse(t testing.TB, places map[string]otpd.Place) []entry {
	t.Helper()
	var entries []entry
	for key, place := range places {
		p, err := netip.ParsePrefix(key)
		if err != nil {
			t.Fatalf("geotest: %v", err)
		}
		switch {
		case place.Country == "" && place != (otpd.Place{}):
			t.Fatalf("geotest: %s: a place needs a country", key)
		case place.HasCoords && place.City == "":
			t.Fatalf("geotest: %s: coordinates need a city; risk.GeoIP ignores a country's middle", key)
		}
		entries = append(entries, entry{p.Masked(), place})
	}
	slices.SortFunc(entries, func(a, b entry) int {
		return cmp.Or(cmp.Compare(a.prefix.Bits(), b.prefix.Bits()), a.prefix.Addr().Compare(b.prefix.Addr()))
	})
	for i := 1; i < len(entries); i++ {
		if entries[i].prefix == entries[i-1].prefix {
			t.Fatalf("geotest: %s is given twice", entries[i].prefix)
		}
	}
	return entries
}

func record(p otpd.Place) mmdbtype.Map {
	r := mmdbtype.Map{}
	if p.Country != "" {
		country := mmdbtype.Map{"iso_code": mmdbtype.String(p.Country)}
		if p.CountryName != "" {
			country["names"] = mmdbtype.Map{"en": mmdbtype.String(p.CountryName)}
		}
		r["country"] = country
	}
	if p.City != "" {
		r["city"] = mmdbtype.Map{"names": mmdbtype.Map{"en": mmdbtype.String(p.City)}}
	}
	if p.HasCoords {
		r["location"] = mmdbtype.Map{"latitude": mmdbtype.Float64(p.Lat), "longitude": mmdbtype.Float64(p.Lon)}
	}
	return r
}

// check reads the first address of every prefix back and compares it with
// the place of the longest prefix that holds it.
func check(t testing.TB, path string, entries []entry) {
	t.Helper()
	geo, err := risk.OpenGeoIP(path)
	if err != nil {
		t.Fatalf("geotest: %v", err)
	}
	defer geo.Close()
	for _, e := range entries {
		var want otpd.Place
		for _, holder := range entries {
			if holder.prefix.Contains(e.prefix.Addr()) {
				want = holder.place
			}
		}
		got := geo.Locate(e.prefix.Addr())
		if want.CountryName == "" {
			got.CountryName = ""
		}
		if got != want {
			t.Fatalf("geotest: %s reads back as %+v, not %+v (private, loopback and link-local addresses are never located)",
				e.prefix.Addr(), got, want)
		}
	}
}
