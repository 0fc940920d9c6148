package edge_test

import (
	"strings"
	"testing"

	"github.com/otpd/otpd/web/edge"
)

// Every way out of the allowed origins that a crafted ?return= might try
// is refused; what is allowed comes back in one form.
func TestReturnsRefuseEveryWayOut(t *testing.T) {
	rs, err := edge.NewReturns([]string{"https://app.example.com", "http://127.0.0.1:9000", "https://wiki.example.com:8443/"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		raw, target, origin string // target "" means refused
	}{
		{"https://app.example.com/", "https://app.example.com/", "https://app.example.com"},
		{"https://app.example.com", "https://app.example.com", "https://app.example.com"},
		{"https://app.example.com/a/b?c=d&e=%2F#top", "https://app.example.com/a/b?c=d&e=%2F#top", "https://app.example.com"},
		{"HTTPS://APP.example.COM/x", "https://APP.example.COM/x", "https://app.example.com"},
		{"https://app.example.com:443/x", "https://app.example.com:443/x", "https://app.example.com"},
		{"http://127.0.0.1:9000/p", "http://127.0.0.1:9000/p", "http://127.0.0.1:9000"},
		{"https://wiki.example.com:8443/", "https://wiki.example.com:8443/", "https://wiki.example.com:8443"},

		// Other origins.
		{"https://evil.example/", "", ""},
		{"https://app.example.com.evil.com/", "", ""},
		{"https://allowed.app.example.com/", "", ""},
		{"https://app.example.com./", "", ""},
		{"https://xapp.example.com/", "", ""},
		{"http://app.example.com/", "", ""},       // another scheme
		{"https://app.example.com:8443/", "", ""}, // another port
		{"https://wiki.example.com/", "", ""},     // its port missing
		{"http://127.0.0.1:9001/", "", ""},        // another port
		{"http://127.0.0.1/", "", ""},             // the default port
		{"https://app.example.com:/", "", ""},     // an empty port
		{"https://app.example.com:0443/", "", ""}, // a port spelt otherwise
		{"ftp://app.example.com/", "", ""},        // not http
		{"javascript:alert(1)", "", ""},           // a script
		{"javascript://app.example.com/%0aalert(1)", "", ""},
		{"data:text/html,<script>alert(1)</script>", "", ""},
		{"https:app.example.com", "", ""}, // opaque

		// Relative and scheme-relative.
		{"//evil.example/", "", ""},
		{"//app.example.com/", "", ""},
		{"/\\evil.example/", "", ""},
		{"/account", "", ""},
		{"app.example.com/x", "", ""},
		{"", "", ""},

		// Userinfo: the host is after the @.
		{"https://app.example.com@evil.example/", "", ""},
		{"https://user:pw@app.example.com/", "", ""},
		{"https://evil.example\\@app.example.com/", "", ""},
		{"https://app.example.com%40evil.example/", "", ""},

		// Backslashes, which browsers read as slashes.
		{"https:\\\\evil.example", "", ""},
		{"https://evil.example\\.app.example.com/", "", ""},
		{"https://app.example.com\\@evil.example/", "", ""},
		{"https://app.example.com/\\evil", "", ""},

		// Encoded authorities, which Go would decode.
		{"https://app%2eexample.com/", "", ""},
		{"https://app.example.com%2f@evil.example/", "", ""},
		{"https%3A%2F%2Fevil.example", "", ""},
		{"https://app.example.com%00.evil.example/", "", ""},

		// Whitespace and control characters, which browsers strip.
		{" https://evil.example/", "", ""},
		{"https://app.example.com/\n", "", ""},
		{"\thttps://app.example.com/", "", ""},
		{"ht\ttps://evil.example/", "", ""},
		{"https://app.exam\u0000ple.com/", "", ""},
		{"https://app.example.com/ x", "", ""},

		// Non-ASCII hosts that fold to ASCII ones.
		{"https://app.exαmple.com/", "", ""},
		{"https://ａpp.example.com/", "", ""},
	}
	for _, tt := range tests {
		target, origin, ok := rs.Check(tt.raw)
		if ok != (tt.target != "") || target != tt.target || origin != tt.origin {
			t.Errorf("Check(%q) = %q, %q, %v; want %q, %q", tt.raw, target, origin, ok, tt.target, tt.origin)
		}
	}
	long := "https://app.example.com/" + strings.Repeat("a", 2100)
	if _, _, ok := rs.Check(long); ok {
		t.Error("Check took a return target of 2,100 bytes")
	}
}

func TestNewReturnsRefusesNonOrigins(t *testing.T) {
	for _, o := range []string{"app.example.com", "https://app.example.com/path", "javascript:x", "https://u@app.example.com"} {
		if _, err := edge.NewReturns([]string{o}); err == nil {
			t.Errorf("NewReturns(%q) took it", o)
		}
	}
}
