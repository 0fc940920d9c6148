package api_test

import (
	"strings"
	"testing"

	"github.com/otpd/otpd/web/webtest"
)

// Invariant 8 for "Check a message": a bad reference, a body of the wrong
// kind and a hostile message are each a 4xx naming the field at fault.
func TestCheckRefusesBadInputClearly(t *testing.T) {
	r := webtest.New(t)
	nest := "From: a@example.com\r\nContent-Type: multipart/mixed; boundary=b0\r\n\r\n"
	for i := range 10 {
		nest += "--b" + string(rune('0'+i)) + "\r\nContent-Type: multipart/mixed; boundary=b" + string(rune('1'+i)) + "\r\n\r\n"
	}
	const ref, msg = "/api/v1/check/reference", "/api/v1/check/message"
	refuses(t, r, []refusal{
		{"reference missing", "POST", ref, "application/json", `{}`, nil, 400, "invalid_request", "reference"},
		{"reference short", "POST", ref, "application/json", `{"reference":"K7QP"}`, nil, 400, "invalid_request", "reference"},
		{"reference not a string", "POST", ref, "application/json", `{"reference":7}`, nil, 400, "invalid_request", "reference"},
		{"reference NUL", "POST", ref, "application/json", `{"reference":"K7QP-2MX\u0000"}`, nil, 400, "invalid_request", "reference"},
		{"reference invalid UTF-8", "POST", ref, "application/json", "{\"reference\":\"\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8\"}", nil, 400, "invalid_request", "reference"},
		{"reference as a form", "POST", ref, "application/x-www-form-urlencoded", "reference=K7QP-2MXD", nil, 415, "unsupported_media_type", "Content-Type"},
		{"message as JSON", "POST", msg, "application/json", `{"message":"x"}`, nil, 415, "unsupported_media_type", "Content-Type"},
		{"message empty", "POST", msg, "message/rfc822", "", nil, 400, "invalid_request", "message"},
		{"message too large", "POST", msg, "message/rfc822", strings.Repeat("x", 600<<10), nil, 400, "invalid_request", "message"},
		{"message nested too deep", "POST", msg, "message/rfc822", nest, nil, 400, "invalid_request", "message"},
		{"message not UTF-8", "POST", msg, "message/rfc822", "From: a@example.com\r\n\r\n\xff\xfe", nil, 400, "invalid_request", "message"},
		{"message NUL", "POST", msg, "message/rfc822", "From: a@example.com\r\n\r\n\x00", nil, 400, "invalid_request", "message"},
	})
}
