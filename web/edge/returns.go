package edge

import (
	"fmt"
	"net/url"
	"strings"
)

// Returns are the origins outside otpd that a signed-in browser may be
// sent back to: the apps of return_to and forward auth. A return target
// comes from a link anyone can craft, so only an absolute URL on one of
// them is followed, never "anywhere the link says" (an open redirect
// would hand the person who just typed a code to a phishing site).
type Returns struct {
	origins map[string]bool
}

// NewReturns parses origins ("https://app.example.com", with a port when
// not the scheme's default), as configuration checked them.
func NewReturns(origins []string) (Returns, error) {
	rs := Returns{origins: map[string]bool{}}
	for _, o := range origins {
		u, err := url.Parse(strings.TrimSuffix(o, "/"))
		if err != nil || u.Path != "" || u.RawQuery != "" || u.Fragment != "" {
			return Returns{}, fmt.Errorf("return origin %q: must be scheme://host[:port]", o)
		}
		origin, ok := originOf(o, u)
		if !ok {
			return Returns{}, fmt.Errorf("return origin %q: must be an http(s) origin", o)
		}
		rs.origins[origin] = true
	}
	return rs, nil
}

// maxReturn bounds a return target; a browser's address bar holds more,
// an app's return address seldom a tenth of this.
const maxReturn = 2048

// Check returns raw as the URL to send the browser to, and its origin,
// when raw is an absolute http(s) URL on one of the origins; otherwise ok
// is false. It refuses rather than repairs: anything a browser might read
// differently from Go's parser (backslashes, control characters, spaces,
// percent-encoding or userinfo in the authority, a scheme-relative or
// opaque URL) is not a target.
func (rs Returns) Check(raw string) (target, origin string, ok bool) {
	if raw == "" || len(raw) > maxReturn || strings.ContainsAny(raw, "\\") {
		return "", "", false
	}
	for i := 0; i < len(raw); i++ {
		if raw[i] <= ' ' || raw[i] == 0x7f {
			return "", "", false
		}
	}
	u, err := url.Parse(raw)
	if err != nil || u.Opaque != "" || u.User != nil {
		return "", "", false
	}
	origin, ok = originOf(raw, u)
	if !ok || !rs.origins[origin] {
		return "", "", false
	}
	return u.String(), origin, true
}

// Allows reports whether origin (as Check returns it) is one of rs.
func (rs Returns) Allows(origin string) bool { return rs.origins[origin] }

// originOf returns u's origin in one form: lower-case scheme and host,
// the port only when it is not the scheme's default. raw is what u was
// parsed from: its authority must be plain, with no userinfo and no
// percent-encoding, which url.Parse would otherwise decode.
func originOf(raw string, u *url.URL) (string, bool) {
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return "", false
	}
	rest, ok := strings.CutPrefix(raw[len(u.Scheme):], "://")
	if !ok {
		return "", false
	}
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		rest = rest[:i]
	}
	if strings.ContainsAny(rest, "%@") {
		return "", false
	}
	host := strings.ToLower(u.Hostname())
	for _, r := range host {
		if r > 0x7e {
			return "", false
		}
	}
	port := u.Port()
	switch {
	case strings.HasSuffix(u.Host, ":"):
		return "", false
	case port == "" || u.Scheme == "https" && port == "443" || u.Scheme == "http" && port == "80":
		port = ""
	default:
		port = ":" + port
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return u.Scheme + "://" + host + port, true
}
