package otpd_test

import (
	"errors"
	"testing"

	"github.com/otpd/otpd"
)

func TestParseMessageRef(t *testing.T) {
	for in, want := range map[string]string{
		"K7QP-2MXD":      "K7QP-2MXD",
		"k7qp2mxd":       "K7QP-2MXD",
		" Ref K7QP-2MXD": "K7QP-2MXD",
		"ref: k7qp 2mxd": "K7QP-2MXD",
		"REFA-BCDE":      "REFA-BCDE",
		"OIL0-0000":      "0110-0000",
	} {
		got, err := otpd.ParseMessageRef(in)
		if err != nil || got != want {
			t.Errorf("ParseMessageRef(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "K7QP-2MX", "K7QP-2MXDD", "K7QU-2MXD", "K7QP-2MXD\x00", "K7QP–2MXD", "ＫＫＫＫ-ＫＫＫＫ",
		string(make([]byte, 100)), "\xff\xfe\xfd\xfc-\xfb\xfa\xf9\xf8"} {
		_, err := otpd.ParseMessageRef(in)
		var e *otpd.Error
		if !errors.As(err, &e) || e.Code != otpd.EInvalid || e.Field != "reference" {
			t.Errorf("ParseMessageRef(%q) = %v, want an invalid-request error naming reference", in, err)
		}
	}
}
