package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/otpd/otpd/postgres/pgtest"
	"github.com/otpd/otpd/web"
)

// Invariant 8 on every route: whatever a client sends to any route of the
// server's one route table (web.Server.Patterns, so a new route is covered
// the day it is added), be it a path, a query, a body, a method, a
// content type or a cookie, the answer is below 500 and nothing is
// logged as an error.
func TestHostileInputOnEveryRoute(t *testing.T) {
	hostileEveryRoute(t, startServer(t, nil, "--config", hostileConfig(t)))
}

// hostileConfig turns forward auth on, for this machine as its proxy and
// an app on it, so that /auth/forward answers beyond "off", and declares
// an app, so that the OpenID Connect routes answer beyond "no such app".
func hostileConfig(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "otpd.toml")
	err := os.WriteFile(path, []byte(`trusted_proxies = ["127.0.0.1"]
[forward_auth]
enabled = true
[[forward_auth.hosts]]
origin = "`+hostileApp+`"
any_account = true
fresh_code = true
[[clients]]
id = "hostile"
name = "Hostile"
type = "public"
redirect_uris = ["`+hostileApp+`/callback"]
post_logout_redirect_uris = ["`+hostileApp+`/bye"]
scopes = ["openid", "email", "offline_access"]
`), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	return path
}

const hostileApp = "http://127.0.0.1:9"

// On PostgreSQL too, which refuses what SQLite stores (a NUL, invalid
// UTF-8) with an error rather than a miss.
func TestHostileInputOnEveryRoutePostgres(t *testing.T) {
	_, dsn := pgtest.Schema(t)
	hostileEveryRoute(t, startServer(t, map[string]string{"OTPD_DATABASE": dsn}, "--config", hostileConfig(t)))
}

// routesOnly stands in for the OpenID Connect provider where only the
// route table is read.
type routesOnly struct{ web.OIDC }

func (routesOnly) Handler() http.Handler { return http.NotFoundHandler() }

func hostileEveryRoute(t *testing.T, s *server) {
	token := s.signIn(t, "ada@example.com").Token
	// The admin routes get an admin token of scope write where the
	// others get the session's, so that their input reaches the
	// handlers; the well-formed account they name is none.
	adminToken := s.adminToken(t, "write")
	patterns := web.New(web.Options{Mailbox: struct{ web.Mailbox }{}, OIDC: routesOnly{}}).Patterns()
	var reqs, last []hostileRequest
	for _, p := range patterns {
		tok := token
		if strings.Contains(p, "/api/v1/admin/") {
			tok = adminToken
		}
		rs := hostileRequests(p, tok)
		// A sign-out ends the session the other requests use: last.
		if strings.Contains(p, "sign-out") {
			last = append(last, rs...)
		} else {
			reqs = append(reqs, rs...)
		}
	}
	failures := sendAll(t, s.url, reqs)
	failures = append(failures, sendAll(t, s.url, last)...)
	slices.Sort(failures)
	for _, f := range failures {
		t.Error(f)
	}
	if strings.Contains(s.logs.String(), "level=ERROR") {
		t.Errorf("hostile input was logged as a server error:\n%s", s.logs)
	}
	t.Logf("%d routes, %d requests", len(patterns), len(reqs)+len(last))
}

type hostileRequest struct {
	method, path, ctype, body string
	header                    http.Header
}

// hostilePaths stand in for a path's wildcards: a well-formed value that
// names nothing, bad percent-encoding, invalid and overlong UTF-8, a NUL,
// a control character, an encoded slash and an overlong value.
var hostilePaths = []string{
	"abcdefghijklmnopqrstuvwxyz", "%ff", "%c0%ae", "%00", "%1b", "a%2Fb", "..", strings.Repeat("a", 8<<10),
}

// hostileQuery puts bad values in every query parameter a page reads.
var hostileQuery = "?kind=%ff&limit=%00&why=%c0%ae&to=%ff&id=%00&return=%2F%2Fevil&done=%ff&send_to=x&state=%ff&after=%00&" +
	strings.Repeat("x", 4<<10) + "=%e2%82"

var wildcard = regexp.MustCompile(`\{[a-z_]+\}`)

// hostileRequests are the requests sent to one route pattern: every
// hostile body with every kind of credentials to its first path, each
// other path with a session and a body of its kind, every other method,
// and a hostile query.
func hostileRequests(pattern, token string) []hostileRequest {
	method, path, ok := strings.Cut(pattern, " ")
	if !ok {
		method, path = "GET", pattern
	}
	paths := hostileFill(path)
	auth := hostileAuth(token)
	bodies := hostileBodies(method)
	var rs []hostileRequest
	for _, h := range auth {
		for _, b := range bodies {
			rs = append(rs, hostileRequest{method: method, path: paths[0], ctype: b.ctype, body: b.body, header: h})
		}
	}
	b := bodies[0]
	if !strings.Contains(path, "/api/") && len(bodies) > 2 {
		b = bodies[2]
	}
	for _, p := range paths[1:] {
		rs = append(rs, hostileRequest{method: method, path: p, ctype: b.ctype, body: b.body, header: auth[2]})
	}
	if method != "GET" {
		rs = append(rs, hostileRequest{method: method, path: paths[0], ctype: "application/x-www-form-urlencoded",
			body: strings.Repeat("a=b&", 256<<10), header: auth[2]})
	}
	for _, m := range []string{"PATCH", "GET", "POST", "DELETE"} {
		if m != method {
			rs = append(rs, hostileRequest{method: m, path: paths[0], header: auth[2]})
		}
	}
	return append(rs, hostileRequest{method: method, path: paths[0] + hostileQuery, header: auth[2]})
}

// hostileFill returns the paths a route's path pattern stands for, a
// well-formed one first: under a prefix, the hostile paths and a real
// file; with wildcards, each hostile value in their place.
func hostileFill(path string) []string {
	var paths []string
	switch {
	case strings.HasSuffix(path, "/") && path != "/":
		paths = append(paths, path+"style.css", path)
		for _, v := range hostilePaths {
			paths = append(paths, path+v)
		}
	case path == "/":
		for _, v := range hostilePaths {
			paths = append(paths, "/"+v)
		}
	case wildcard.MatchString(path):
		for _, v := range hostilePaths {
			paths = append(paths, wildcard.ReplaceAllLiteralString(path, v))
		}
	default:
		paths = []string{strings.TrimSuffix(path, "{$}")}
	}
	return paths
}

// hostileAuth is no credentials, junk ones, and a real session, as an
// API client and as a browser carries it.
func hostileAuth(token string) []http.Header {
	return []http.Header{
		{},
		{"Cookie": {"otpd_session=%ff%00; otpd_device=" + strings.Repeat("a.", 2<<10)},
			"Authorization":     {"Bearer \xff" + strings.Repeat("A", 1<<10)},
			"X-Original-Url":    {hostileApp + "/%ff\xff\\@evil.example", "//evil.example"},
			"X-Forwarded-Proto": {"\xff"}, "X-Forwarded-Host": {strings.Repeat("h", 4<<10)}, "X-Forwarded-Uri": {"%zz"},
			"Accept": {"text/html\xff"}},
		{"Cookie": {"otpd_session=" + token}, "Authorization": {"Bearer " + token},
			"X-Original-Url": {hostileApp + "/page?%ff=%00"}, "Accept": {"text/html"}},
	}
}

type hostileBody struct{ ctype, body string }

// hostileBodies are the bodies sent with a route's own method: JSON and
// forms with bad values and bad encodings, and the wrong content types.
func hostileBodies(method string) []hostileBody {
	long := strings.Repeat("x", 20<<10)
	bodies := []hostileBody{
		{"application/json", `{"email":"a\u0000@example.com","flow_id":"\u0000","code":"\ud800","password":"` + long +
			`","send_to":"\u0000","code_sign_in":"yes","remember_device":null}`},
		{"application/json", "{\"email\":\"\xff\xfe@example.com\",\"flow_id\":\"\xc0\xae\"}"},
		{"application/x-www-form-urlencoded", "email=%ff%00&flow_id=%00&code=%c0%ae&password=" + long + "&send_to=%zz&remember=%"},
		{"multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"email\"\r\n\r\n\xff\r\n--"},
		{"text/plain; charset=\xff", "\x00\x01"},
	}
	if method == "GET" {
		return bodies[:1]
	}
	return bodies
}

// sendAll sends reqs four at a time and returns what went wrong.
func sendAll(t *testing.T, base string, reqs []hostileRequest) []string {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	work := make(chan hostileRequest)
	var mu sync.Mutex
	var failures []string
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for r := range work {
				if f := send(client, base, r); f != "" {
					mu.Lock()
					failures = append(failures, f)
					mu.Unlock()
				}
			}
		})
	}
	for _, r := range reqs {
		work <- r
	}
	close(work)
	wg.Wait()
	return failures
}

func send(client *http.Client, base string, r hostileRequest) string {
	req, err := http.NewRequest(r.method, base+r.path, strings.NewReader(r.body))
	if err != nil {
		return fmt.Sprintf("%s %.80s: %v", r.method, r.path, err)
	}
	for k, vs := range r.header {
		req.Header[k] = vs
	}
	if r.ctype != "" {
		req.Header.Set("Content-Type", r.ctype)
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Sprintf("%s %.80s (%s): %v", r.method, r.path, r.ctype, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
	if resp.StatusCode >= 500 {
		return fmt.Sprintf("%s %.80s (%s): %d %q", r.method, r.path, r.ctype, resp.StatusCode, body)
	}
	return ""
}
