// Package useragent names the browser and operating system in a User-Agent
// header, in the words a person would use: "Chrome" on "Windows", "Safari"
// on "iPhone (iOS)".
//
// It exists for the code email and the activity page, where the owner of
// an address must tell at a glance whether a request was theirs. It is not
// a complete parser and does not try to be: it knows the browsers and
// systems that most people use, and says nothing (returns "") about the
// rest rather than guess. Versions are left out on purpose; "Chrome 131.0.0.0"
// helps nobody decide "was that me?", and the raw header stays in the
// activity record for whoever needs it.
//
// Parse returns only strings from its own tables, never text copied from
// the header, so its results are safe to show without further cleaning.
// Parse is a pure function, safe for concurrent use.
package useragent

import "strings"

// maxLen bounds how much of a header Parse reads. Real headers are a few
// hundred bytes; the tokens that matter sit near the front, and the header
// comes from whoever asked for a code, who must not be able to make us scan
// megabytes.
const maxLen = 1024

// rule names a product when the header contains any of its tokens, unless
// it also contains one of the tokens in unless.
type rule struct {
	name   string
	tokens []string
	unless []string
}

// Browsers, most specific first: almost every browser claims to be
// "Mozilla", most Chromium browsers also say "Chrome/" and "Safari/",
// and Chrome itself says "Safari/". So Edge, Opera and Samsung Internet
// must be recognised before Chrome, and Chrome before Safari.
var browsers = []rule{
	// Tools, which some requests really come from.
	{name: "curl", tokens: []string{"curl/"}},
	{name: "Wget", tokens: []string{"Wget/"}},
	{name: "Go-http-client", tokens: []string{"Go-http-client/"}},
	{name: "python-requests", tokens: []string{"python-requests/"}},
	// Automation says so; a headless browser is rarely a person.
	{name: "Headless Chrome", tokens: []string{"HeadlessChrome/"}},
	{name: "Samsung Internet", tokens: []string{"SamsungBrowser/"}},
	{name: "Edge", tokens: []string{"Edg/", "EdgA/", "EdgiOS/", "Edge/"}},
	{name: "Opera", tokens: []string{"OPR/", "OPT/", "OPiOS/", "Opera"}},
	{name: "Vivaldi", tokens: []string{"Vivaldi/"}},
	{name: "Yandex Browser", tokens: []string{"YaBrowser/"}},
	{name: "Firefox", tokens: []string{"Firefox/", "FxiOS/"}, unless: []string{"Seamonkey/"}},
	{name: "Chrome", tokens: []string{"CriOS/", "Chrome/", "Chromium/"}},
	// Safari writes "Version/x Safari/y"; in-app web views on iOS leave
	// out both and are not Safari.
	{name: "Safari", tokens: []string{"Safari/"}, unless: []string{"Android"}},
	{name: "Internet Explorer", tokens: []string{"MSIE ", "Trident/"}},
}

// Systems, most specific first: iOS says "like Mac OS X", Android says
// "Linux", and ChromeOS says "X11".
var systems = []rule{
	{name: "iPhone (iOS)", tokens: []string{"iPhone", "iPod"}},
	{name: "iPad (iPadOS)", tokens: []string{"iPad"}},
	{name: "Android", tokens: []string{"Android"}},
	{name: "Windows Phone", tokens: []string{"Windows Phone"}},
	{name: "Windows", tokens: []string{"Windows NT", "Windows "}},
	{name: "ChromeOS", tokens: []string{"CrOS "}},
	{name: "macOS", tokens: []string{"Macintosh", "Mac OS X"}},
	{name: "FreeBSD", tokens: []string{"FreeBSD"}},
	{name: "OpenBSD", tokens: []string{"OpenBSD"}},
	{name: "Linux", tokens: []string{"Linux", "X11", "Ubuntu", "Fedora"}},
}

// Parse returns the browser (or tool) and operating system a User-Agent
// header names, such as "Firefox" and "Linux". Either is "" when the header
// does not say, or says something Parse does not know; callers write their
// own "unknown", in their reader's language.
func Parse(ua string) (browser, os string) {
	if len(ua) > maxLen {
		ua = ua[:maxLen]
	}
	browser = match(browsers, ua)
	os = match(systems, ua)
	// Tools run anywhere; what they say about a system (curl's "(x86_64-pc-
	// linux-gnu)") is about where they were built, so say nothing.
	switch browser {
	case "curl", "Wget", "Go-http-client", "python-requests":
		os = ""
	}
	return browser, os
}

func match(rules []rule, ua string) string {
	for _, r := range rules {
		if containsAny(ua, r.tokens) && !containsAny(ua, r.unless) {
			return r.name
		}
	}
	return ""
}

func containsAny(s string, tokens []string) bool {
	for _, t := range tokens {
		if strings.Contains(s, t) {
			return true
		}
	}
	return false
}

// Name is a device's name as a person reads it, in English: "Firefox on
// Linux", "Firefox", "a browser on Linux", or "an unknown browser".
func Name(ua string) string {
	return NameJoined(ua, " on ")
}

// NameJoined is Name with sep between the browser and the system, as in
// "Chrome/Windows" for the middle of a sentence.
func NameJoined(ua, sep string) string {
	browser, os := Parse(ua)
	switch {
	case browser != "" && os != "":
		return browser + sep + os
	case browser != "":
		return browser
	case os != "":
		return "a browser on " + os
	}
	return "an unknown browser"
}
