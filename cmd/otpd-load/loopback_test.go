package main

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestTargetMustBeLoopback(t *testing.T) {
	for in, want := range map[string]string{
		"http://127.0.0.1:8080":  "http://127.0.0.1:8080",
		"http://127.0.0.1:8080/": "http://127.0.0.1:8080",
		"http://127.1.2.3:80":    "http://127.1.2.3:80",
		"http://[::1]:8080":      "http://[::1]:8080",
		"http://localhost:8080":  "http://localhost:8080",
	} {
		u, err := checkTarget(in)
		if err != nil || u.String() != want {
			t.Errorf("checkTarget(%q) = %v, %v; want %s", in, u, err, want)
		}
	}
	for in, says := range map[string]string{
		"http://10.0.0.1:8080":          "loopback only",
		"http://example.com":            "loopback only",
		"http://0.0.0.0:8080":           "loopback only",
		"http://[::ffff:8.8.8.8]:80":    "loopback only",
		"https://127.0.0.1:8443":        "want http://",
		"127.0.0.1:8080":                "want http://",
		"http://127.0.0.1:8080/api":     "without path",
		"http://127.0.0.1:8080/?x=1":    "without path",
		"http://localhost.evil.com:80/": "loopback only",
	} {
		if _, err := checkTarget(in); err == nil || !strings.Contains(err.Error(), says) {
			t.Errorf("checkTarget(%q) = %v, want an error saying %q", in, err, says)
		}
	}
}

func TestSinkAddressMustBeLoopback(t *testing.T) {
	if err := checkLoopbackAddr("--smtp-sink", "127.0.0.1:2525"); err != nil {
		t.Error(err)
	}
	for _, bad := range []string{"0.0.0.0:2525", ":2525", "192.0.2.1:25", "127.0.0.1"} {
		if err := checkLoopbackAddr("--smtp-sink", bad); err == nil {
			t.Errorf("checkLoopbackAddr(%q) accepted", bad)
		}
	}
}

// The dialer refuses what a name resolved to when it is not loopback,
// without sending anything.
func TestTransportDialsLoopbackOnly(t *testing.T) {
	c := &http.Client{Transport: newTransport(1, time.Second)}
	_, err := c.Get("http://192.0.2.1:9/")
	if err == nil || !strings.Contains(err.Error(), "not loopback") {
		t.Errorf("GET 192.0.2.1 = %v, want a refusal", err)
	}
}
