package main

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/risk/geotest"
)

// DB-IP's licence asks for a link back on pages that show its places:
// with its database, every page carries it; without, none does.
func TestPagesCreditDBIP(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "dbip-city-ipv4.mmdb")
	if err := os.Rename(geotest.Write(t, dir, map[string]otpd.Place{"203.0.113.0/24": geotest.London}), db); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		env  map[string]string
		want bool
	}{{map[string]string{"OTPD_GEOIP": db}, true}, {nil, false}} {
		s := startServer(t, tc.env)
		resp, err := http.Get(s.url + "/")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if got := strings.Contains(string(body), `<a href="https://db-ip.com">IP Geolocation by DB-IP</a>`); got != tc.want {
			t.Errorf("with geoip %q: credit shown %v, want %v", tc.env["OTPD_GEOIP"], got, tc.want)
		}
	}
}
