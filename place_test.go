package otpd_test

import (
	"testing"

	"github.com/otpd/otpd"
)

func TestPlaceString(t *testing.T) {
	for _, tc := range []struct {
		place otpd.Place
		want  string
	}{
		{otpd.Place{Country: "NG", CountryName: "Nigeria", City: "Lagos"}, "Lagos, Nigeria"},
		{otpd.Place{Country: "NG", CountryName: "Nigeria"}, "Nigeria"},
		{otpd.Place{Country: "NG", City: "Lagos"}, "Lagos, NG"},
		{otpd.Place{Country: "NG"}, "NG"},
		{otpd.Place{City: "Lagos"}, "Lagos"},
		{otpd.Place{}, ""},
	} {
		if got := tc.place.String(); got != tc.want {
			t.Errorf("%+v.String() = %q, want %q", tc.place, got, tc.want)
		}
		if got := tc.place.Known(); got != (tc.want != "") {
			t.Errorf("%+v.Known() = %v", tc.place, got)
		}
	}
}
