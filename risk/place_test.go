package risk_test

import (
	"net/netip"
	"testing"

	"github.com/otpd/otpd/risk"
)

func TestPlaceString(t *testing.T) {
	for _, tc := range []struct {
		place risk.Place
		want  string
	}{
		{risk.Place{Country: "NG", CountryName: "Nigeria", City: "Lagos"}, "Lagos, Nigeria"},
		{risk.Place{Country: "NG", CountryName: "Nigeria"}, "Nigeria"},
		{risk.Place{Country: "NG", City: "Lagos"}, "Lagos, NG"},
		{risk.Place{Country: "NG"}, "NG"},
		{risk.Place{City: "Lagos"}, "Lagos"},
		{risk.Place{}, "unknown place"},
	} {
		if got := tc.place.String(); got != tc.want {
			t.Errorf("%+v.String() = %q, want %q", tc.place, got, tc.want)
		}
	}
}

func TestNoGeoIP(t *testing.T) {
	var l risk.Locator = risk.NoGeoIP{}
	if p := l.Locate(netip.MustParseAddr("8.8.8.8")); p != (risk.Place{}) || p.String() != "unknown place" {
		t.Errorf("NoGeoIP placed 8.8.8.8 at %+v", p)
	}
}
