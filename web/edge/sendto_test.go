package edge

import (
	"errors"
	"testing"

	"github.com/otpd/otpd"
)

func TestSendToRecovery(t *testing.T) {
	str := func(s string) *string { return &s }
	for _, tc := range []struct {
		in       *string
		recovery bool
		bad      bool
	}{
		{nil, false, false},
		{str("address"), false, false},
		{str("recovery"), true, false},
		{str(""), false, true},
		{str("Recovery"), false, true},
		{str("backup"), false, true},
	} {
		got, err := SendToRecovery(tc.in)
		var e *otpd.Error
		if tc.bad {
			if !errors.As(err, &e) || e.Code != otpd.EInvalid || e.Field != "send_to" {
				t.Errorf("send_to %q: %v, want invalid_request on send_to", *tc.in, err)
			}
			continue
		}
		if err != nil || got != tc.recovery {
			t.Errorf("send_to %v: %v, %v; want %v", tc.in, got, err, tc.recovery)
		}
	}
}
