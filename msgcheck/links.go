package msgcheck

import (
	"html"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// maxLinks bounds the links a report lists; a message full of links is
// judged by the first ones as well as by all.
const maxLinks = 50

var (
	textLink = regexp.MustCompile(`(?i)\b(?:https?|ftp)://[^\s<>"'()\[\]]+`)
	// htmlLink reads the destinations of attributes a reader's click or
	// a form submits to; the message's other URLs (none, in ours) are
	// judged with the text's.
	htmlLink = regexp.MustCompile(`(?i)\b(?:href|src|action|formaction)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))`)
)

// links finds every link in the text and HTML parts and says whether it
// leads to origin (scheme and host of the public URL).
func links(texts, htmls []string, origin *url.URL) []Link {
	var raw []string
	for _, t := range texts {
		raw = append(raw, textLink.FindAllString(t, -1)...)
	}
	for _, h := range htmls {
		raw = append(raw, textLink.FindAllString(h, -1)...)
		for _, m := range htmlLink.FindAllStringSubmatch(h, -1) {
			raw = append(raw, html.UnescapeString(m[1]+m[2]+m[3]))
		}
	}
	seen := map[string]bool{}
	var out []Link
	for _, r := range raw {
		r = strings.TrimRight(strings.TrimSpace(r), ".,;:!?")
		if r == "" || seen[r] {
			continue
		}
		seen[r] = true
		l := judge(r, origin)
		if len(out) < maxLinks {
			out = append(out, l)
		} else if !l.Ours {
			// Past the cap, a link elsewhere still counts.
			out[len(out)-1] = l
		}
	}
	return out
}

// judge says whether a link leads to origin: same scheme and host, with
// no user info (https://otpd.example@evil.example/ leads to evil).
func judge(raw string, origin *url.URL) Link {
	shown := raw
	if len(shown) > 200 {
		shown = shown[:200] + "…"
	}
	l := Link{URL: shown}
	u, err := url.Parse(raw)
	if err != nil {
		return l
	}
	l.Host = strings.ToLower(u.Hostname())
	if u.Scheme == "" && u.Host == "" {
		// A relative link, or a fragment, has no destination of its own
		// in a mail client; ours have none.
		l.Host = ""
		return l
	}
	l.Ours = origin != nil && strings.EqualFold(u.Scheme, origin.Scheme) && strings.EqualFold(u.Host, origin.Host) &&
		u.User == nil
	return l
}

// awayHosts are the distinct hosts of links that do not lead to otpd.
func awayHosts(ls []Link) []string {
	var out []string
	for _, l := range ls {
		h := l.Host
		if h == "" {
			h = "(no host)"
		}
		if !l.Ours && !slices.Contains(out, h) {
			out = append(out, h)
		}
	}
	return out
}
