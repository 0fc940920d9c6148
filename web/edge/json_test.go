package edge

import (
	"errors"
	"strings"
	"testing"

	"github.com/otpd/otpd"
)

func TestDecodeBodyNamesTheProblem(t *testing.T) {
	type req struct {
		Email *string `json:"email"`
		On    *bool   `json:"on"`
	}
	for _, tc := range []struct {
		body, field, says string
	}{
		{``, "", "empty"},
		{`{`, "", "not valid JSON"},
		{`[]`, "", "JSON object"},
		{`"x"`, "", "JSON object"},
		{`{"email": 5}`, "email", "must be a string"},
		{`{"on": "yes"}`, "on", "must be a JSON boolean (true or false)"},
		{`{"emial": "a@b.c"}`, "emial", "unknown field"},
		{`{"email": "a@b.c"} {}`, "", "exactly one"},
		{`{"email": "a@b.c"} x`, "", "exactly one"},
	} {
		var v req
		err := decodeBody(strings.NewReader(tc.body), &v)
		var e *otpd.Error
		if !errors.As(err, &e) || e.Code != otpd.EInvalid || e.Field != tc.field || !strings.Contains(e.Message, tc.says) {
			t.Errorf("body %q: %v, want invalid_request field %q saying %q", tc.body, err, tc.field, tc.says)
		}
	}
}

func FuzzDecodeBody(f *testing.F) {
	for _, s := range []string{`{"email":"a@b.c"}`, `{"code":"123"}`, `{`, `[1]`, `{"email":null}`, `{"email":"\ud800"}`, "{\"email\":1e999}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		var v struct {
			Email *string `json:"email"`
			Code  *string `json:"code"`
		}
		err := decodeBody(strings.NewReader(body), &v)
		if err == nil {
			return
		}
		var e *otpd.Error
		if !errors.As(err, &e) || e.Code != otpd.EInvalid || e.Message == "" {
			t.Fatalf("body %q: %v is not an invalid_request error", body, err)
		}
		if Status(e.Code) >= 500 {
			t.Fatalf("body %q answers %d", body, Status(e.Code))
		}
	})
}
