package useragent_test

import (
	"strings"
	"testing"

	"github.com/otpd/otpd/useragent"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		name, ua, browser, os string
	}{
		{"Chrome on Windows",
			"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
			"Chrome", "Windows"},
		{"Edge on Windows",
			"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
			"Edge", "Windows"},
		{"Firefox on Linux",
			"Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
			"Firefox", "Linux"},
		{"Firefox on Windows",
			"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
			"Firefox", "Windows"},
		{"Safari on macOS",
			"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
			"Safari", "macOS"},
		{"Chrome on macOS",
			"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
			"Chrome", "macOS"},
		{"Safari on iPhone",
			"Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
			"Safari", "iPhone (iOS)"},
		{"Chrome on iPhone",
			"Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1",
			"Chrome", "iPhone (iOS)"},
		{"Safari on iPad",
			"Mozilla/5.0 (iPad; CPU OS 17_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.7 Mobile/15E148 Safari/604.1",
			"Safari", "iPad (iPadOS)"},
		{"Chrome on Android",
			"Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
			"Chrome", "Android"},
		{"Samsung Internet on Android",
			"Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S921B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36",
			"Samsung Internet", "Android"},
		{"Opera on Windows",
			"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 OPR/115.0.0.0",
			"Opera", "Windows"},
		{"old Opera",
			"Opera/9.80 (X11; Linux i686; Ubuntu/14.10) Presto/2.12.388 Version/12.16",
			"Opera", "Linux"},
		{"Chrome on ChromeOS",
			"Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
			"Chrome", "ChromeOS"},
		{"Headless Chrome",
			"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36",
			"Headless Chrome", "Linux"},
		{"Android web view that is not Safari",
			"Mozilla/5.0 (Linux; U; Android 4.4.2; en-us) AppleWebKit/534.30 (KHTML, like Gecko) Version/4.0 Mobile Safari/534.30",
			"", "Android"},
		{"Internet Explorer 11",
			"Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko",
			"Internet Explorer", "Windows"},
		// Tools say where they were built, not where they run.
		{"curl", "curl/8.5.0", "curl", ""},
		{"curl with a platform", "curl/7.68.0 (x86_64-pc-linux-gnu) libcurl/7.68.0", "curl", ""},
		{"Go", "Go-http-client/2.0", "Go-http-client", ""},
		{"Wget", "Wget/1.21.4", "Wget", ""},
		{"empty", "", "", ""},
		{"garbage", "\x00\xff<script>alert(1)</script>\r\n", "", ""},
		{"Mozilla alone", "Mozilla/5.0", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			browser, os := useragent.Parse(tc.ua)
			if browser != tc.browser || os != tc.os {
				t.Errorf("Parse(%q) = %q, %q; want %q, %q", tc.ua, browser, os, tc.browser, tc.os)
			}
		})
	}
}

// A header is whatever the requester sent: a huge one is read only as far
// as the limit, and nothing in it comes back.
func TestParseLong(t *testing.T) {
	junk := strings.Repeat("A", 10000)
	if b, o := useragent.Parse(junk); b != "" || o != "" {
		t.Errorf("junk: %q, %q", b, o)
	}
	real := "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0 "
	if b, o := useragent.Parse(real + junk); b != "Firefox" || o != "Linux" {
		t.Errorf("long tail: %q, %q", b, o)
	}
	if b, o := useragent.Parse(junk + real); b != "" || o != "" {
		t.Errorf("tokens past the limit were read: %q, %q", b, o)
	}
}

func FuzzParse(f *testing.F) {
	f.Add("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36")
	f.Add("curl/8.5.0")
	f.Fuzz(func(t *testing.T, ua string) {
		browser, os := useragent.Parse(ua)
		// Results come from the tables only, so never carry the input.
		for _, s := range []string{browser, os} {
			if strings.ContainsAny(s, "<>&\"'\r\n") {
				t.Fatalf("Parse(%q) returned %q", ua, s)
			}
		}
	})
}

func TestName(t *testing.T) {
	firefox := "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"
	for _, tc := range []struct{ ua, name, joined string }{
		{firefox, "Firefox on Linux", "Firefox/Linux"},
		{"Mozilla/5.0 (X11; Linux x86_64)", "a browser on Linux", "a browser on Linux"},
		{"", "an unknown browser", "an unknown browser"},
	} {
		if got := useragent.Name(tc.ua); got != tc.name {
			t.Errorf("Name(%q) = %q, want %q", tc.ua, got, tc.name)
		}
		if got := useragent.NameJoined(tc.ua, "/"); got != tc.joined {
			t.Errorf("NameJoined(%q, \"/\") = %q, want %q", tc.ua, got, tc.joined)
		}
	}
}
