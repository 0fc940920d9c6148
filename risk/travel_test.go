package risk_test

import (
	"github.com/otpd/otpd"

	"math"
	"testing"
	"time"

	"github.com/otpd/otpd/risk"
	"github.com/otpd/otpd/risk/geotest"
)

func at(lat, lon float64) otpd.Place {
	return otpd.Place{Country: "XX", City: "somewhere", Lat: lat, Lon: lon, HasCoords: true}
}

var (
	paris      = at(48.8566, 2.3522)
	losAngeles = at(34.0522, -118.2437)
	tokyo      = at(35.6762, 139.6503)
	sanFran    = at(37.7749, -122.4194)
	edinburgh  = at(55.9533, -3.1883)
	manchester = at(53.4808, -2.2426)
)

func TestDistance(t *testing.T) {
	for _, tc := range []struct {
		name string
		a, b otpd.Place
		km   float64
	}{
		{"London-New York", geotest.London, geotest.NewYork, 5570},
		{"London-Paris", geotest.London, paris, 344},
		{"New York-Los Angeles", geotest.NewYork, losAngeles, 3940},
		{"Sydney-Tokyo", geotest.Sydney, tokyo, 7820},
		{"Tokyo-San Francisco, over the date line", tokyo, sanFran, 8270},
		{"London-Sydney, nearly half the globe", geotest.London, geotest.Sydney, 16990},
	} {
		for _, order := range [][2]otpd.Place{{tc.a, tc.b}, {tc.b, tc.a}} {
			km, ok := risk.Distance(order[0], order[1])
			if !ok || math.Abs(km-tc.km) > tc.km/100 {
				t.Errorf("%s: Distance = %.0f km, %v; want %.0f km within 1%%", tc.name, km, ok, tc.km)
			}
		}
	}
}

func TestDistanceNeedsCoordinates(t *testing.T) {
	if km, ok := risk.Distance(geotest.London, geotest.London); !ok || km != 0 {
		t.Errorf("London to itself = %v km, %v; want 0, true", km, ok)
	}
	countryOnly := otpd.Place{Country: "NG", CountryName: "Nigeria"}
	if _, ok := risk.Distance(geotest.London, countryOnly); ok {
		t.Error("Distance to a place without coordinates reported ok")
	}
	if _, ok := risk.Distance(otpd.Place{}, otpd.Place{}); ok {
		t.Error("Distance between unknown places reported ok")
	}
}

func TestImpossibleTravel(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name     string
		from, to otpd.Place
		elapsed  time.Duration
		maxKMH   float64
		reason   string
	}{
		{"London to New York in 20 minutes", geotest.London, geotest.NewYork, 20 * time.Minute, 0,
			"5,570 km in 20 min"},
		{"London to New York in 8 hours", geotest.London, geotest.NewYork, 8 * time.Hour, 0, ""},
		{"London to Lagos at the same instant", geotest.London, geotest.Lagos, 0, 0,
			"5,010 km in under a minute"},
		{"London to Sydney in 3 hours 20", geotest.London, geotest.Sydney, 3*time.Hour + 20*time.Minute, 0,
			"16,990 km in 3 h 20 min"},
		{"London to Sydney in 5 hours", geotest.London, geotest.Sydney, 5 * time.Hour, 0,
			"16,990 km in 5 h"},
		{"London to Sydney in a day", geotest.London, geotest.Sydney, 24 * time.Hour, 0, ""},
		{"London to Edinburgh in 10 minutes", geotest.London, edinburgh, 10 * time.Minute, 0,
			"530 km in 10 min"},
		{"London to Edinburgh in an hour", geotest.London, edinburgh, time.Hour, 0, ""},
		// City-level GeoIP is coarse: nearby places are never impossible.
		{"London to Manchester at once", geotest.London, manchester, 0, 0, ""},
		{"London to Paris in 5 minutes", geotest.London, paris, 5 * time.Minute, 0, ""},
		{"London to Paris at once", geotest.London, paris, 0, 0,
			"340 km in under a minute"},
		{"same place at once", geotest.Lagos, geotest.Lagos, 0, 0, ""},
		{"to a place without coordinates", geotest.London, otpd.Place{Country: "NG"}, 0, 0, ""},
		{"from an unknown place", otpd.Place{}, geotest.London, 0, 0, ""},
		{"a rocket's speed allows 40 minutes", geotest.London, geotest.NewYork, 40 * time.Minute, 10000, ""},
		{"walking pace forbids 2 days", geotest.London, edinburgh, 48 * time.Hour, 4,
			"530 km in 48 h"},
	} {
		for _, dir := range []struct {
			name string
			to   time.Time
		}{{"forward", t0.Add(tc.elapsed)}, {"recorded out of order", t0.Add(-tc.elapsed)}} {
			reason, impossible := risk.ImpossibleTravel(tc.from, t0, tc.to, dir.to, tc.maxKMH)
			if reason != tc.reason || impossible != (tc.reason != "") {
				t.Errorf("%s, %s: ImpossibleTravel = %q, %v; want %q", tc.name, dir.name, reason, impossible, tc.reason)
			}
		}
	}
}
