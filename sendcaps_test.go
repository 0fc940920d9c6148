package otpd_test

import (
	"slices"
	"testing"
	"time"

	"github.com/otpd/otpd"
)

func TestSendLimitsCaps(t *testing.T) {
	hour := otpd.SendCap{Limit: otpd.LimitPerHour, Max: 3, Window: time.Hour}
	day := otpd.SendCap{Limit: otpd.LimitPerDay, Max: 10, Window: 24 * time.Hour}
	for _, tc := range []struct {
		name string
		l    otpd.SendLimits
		want []otpd.SendCap
	}{
		{"both", otpd.SendLimits{PerHour: 3, PerDay: 10}, []otpd.SendCap{hour, day}},
		{"no hourly cap", otpd.SendLimits{PerDay: 10}, []otpd.SendCap{day}},
		{"a negative daily cap", otpd.SendLimits{PerHour: 3, PerDay: -1}, []otpd.SendCap{hour}},
		{"none", otpd.SendLimits{ResendCooldown: time.Minute}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.l.Caps(); !slices.Equal(got, tc.want) {
				t.Errorf("%+v.Caps() = %+v, want %+v", tc.l, got, tc.want)
			}
		})
	}
}

func TestRefusal(t *testing.T) {
	type refuse struct {
		limit otpd.Limit
		wait  time.Duration
	}
	for _, tc := range []struct {
		name string
		in   []refuse
		want *otpd.LimitError
	}{
		{"nothing refused", nil, nil},
		{"a wait of zero or less refuses nothing", []refuse{{otpd.LimitCooldown, 0}, {otpd.LimitPerHour, -time.Second}}, nil},
		{"one", []refuse{{otpd.LimitPerHour, time.Minute}}, &otpd.LimitError{Limit: otpd.LimitPerHour, RetryAfter: time.Minute}},
		{"the longest wait, found last", []refuse{{otpd.LimitCooldown, time.Second}, {otpd.LimitPerHour, time.Minute}, {otpd.LimitPerDay, time.Hour}},
			&otpd.LimitError{Limit: otpd.LimitPerDay, RetryAfter: time.Hour}},
		{"the longest wait, found first", []refuse{{otpd.LimitPerDay, time.Hour}, {otpd.LimitCooldown, time.Second}, {otpd.LimitPerHour, 0}},
			&otpd.LimitError{Limit: otpd.LimitPerDay, RetryAfter: time.Hour}},
		{"a tie keeps the first", []refuse{{otpd.LimitCooldown, time.Minute}, {otpd.LimitPerHour, time.Minute}},
			&otpd.LimitError{Limit: otpd.LimitCooldown, RetryAfter: time.Minute}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var r otpd.Refusal
			for _, x := range tc.in {
				r.Refuse(x.limit, x.wait)
			}
			got := r.Err()
			if (got == nil) != (tc.want == nil) || got != nil && *got != *tc.want {
				t.Errorf("Err() = %v, want %v", got, tc.want)
			}
		})
	}
}
