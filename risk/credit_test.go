package risk_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/risk"
	"github.com/otpd/otpd/risk/geotest"
)

// geotest writes GeoLite2-style databases, whose licence otpd does not
// credit on pages: only DB-IP's asks for it.
func TestCreditOnlyForDBIP(t *testing.T) {
	g, err := risk.OpenGeoIP(geotest.Write(t, t.TempDir(), map[string]otpd.Place{"203.0.113.0/24": geotest.London}))
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if c := g.Credit(); c != (risk.Credit{}) {
		t.Errorf("Credit() = %+v for a database that is not DB-IP's", c)
	}
}

// DB-IP's files from ip-location-db are known by their names.
func TestCreditForDBIP(t *testing.T) {
	dir := t.TempDir()
	path := geotest.Write(t, dir, map[string]otpd.Place{"203.0.113.0/24": geotest.London})
	named := filepath.Join(dir, "dbip-city-ipv4.mmdb")
	if err := os.Rename(path, named); err != nil {
		t.Fatal(err)
	}
	g, err := risk.OpenGeoIP(named)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if c := g.Credit(); c.URL != "https://db-ip.com" || c.Text == "" {
		t.Errorf("Credit() = %+v, want DB-IP's", c)
	}
}
