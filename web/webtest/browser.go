package webtest

import (
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
)

// Browser is a person's browser on the rig: it keeps cookies, does not
// follow redirects, so that a test checks each step, and posts its forms
// from the site itself.
type Browser struct {
	// Language, when set, is the Accept-Language the browser sends.
	Language string
	r        *Rig
	ip       string
	jar      *cookiejar.Jar
	client   *http.Client
}

// Browser is a new browser at ip, as the rig's proxy names it; at "" it
// is the proxy's own loopback address.
func (r *Rig) Browser(ip string) *Browser {
	jar, _ := cookiejar.New(nil)
	return &Browser{r: r, ip: ip, jar: jar, client: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// Get opens path, or a whole URL such as a link in a message.
func (b *Browser) Get(t *testing.T, path string) Answer {
	t.Helper()
	return b.send(t, "GET", path, nil)
}

// Post submits form (nil for an empty one) to path, or to a whole URL.
func (b *Browser) Post(t *testing.T, path string, form url.Values) Answer {
	t.Helper()
	return b.send(t, "POST", path, form)
}

// Cookie is the value of the browser's cookie name, or "".
func (b *Browser) Cookie(name string) string {
	u, _ := url.Parse(b.r.URL)
	for _, c := range b.jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

// SetCookie gives the browser a cookie for the whole site, as another
// site or a person at its keyboard could.
func (b *Browser) SetCookie(name, value string) {
	u, _ := url.Parse(b.r.URL)
	b.jar.SetCookies(u, []*http.Cookie{{Name: name, Value: value, Path: "/"}})
}

func (b *Browser) send(t *testing.T, method, path string, form url.Values) Answer {
	t.Helper()
	if !strings.HasPrefix(path, "http") {
		path = b.r.URL + path
	}
	req, err := http.NewRequest(method, path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	if method == "POST" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	if b.ip != "" {
		req.Header.Set("X-Forwarded-For", b.ip)
	}
	if b.Language != "" {
		req.Header.Set("Accept-Language", b.Language)
	}
	res, err := b.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return read(t, res)
}
