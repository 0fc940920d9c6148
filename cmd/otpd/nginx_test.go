package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// nginxConf is the README's nginx example, as the test runs it: nginx on
// LISTEN in front of the app on APP, asking otpd on OTPD.
const nginxConf = `daemon off;
worker_processes 1;
pid DIR/nginx.pid;
error_log DIR/error.log warn;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path DIR/body;
    proxy_temp_path DIR/proxy;
    fastcgi_temp_path DIR/fastcgi;
    uwsgi_temp_path DIR/uwsgi;
    scgi_temp_path DIR/scgi;

    server {
        listen LISTEN;

        # otpd answers whether the request may pass, and as whom.
        location = /otpd-auth {
            internal;
            proxy_pass http://OTPD/auth/forward;
            proxy_method GET;
            proxy_pass_request_body off;
            proxy_set_header Content-Length "";
            # The server's own origin, never the client's Host.
            proxy_set_header X-Original-URL http://LISTEN$request_uri;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto "";
            proxy_set_header X-Forwarded-Host "";
            proxy_set_header X-Forwarded-Uri "";
        }

        location / {
            auth_request /otpd-auth;
            auth_request_set $otpd_user $upstream_http_remote_user;
            auth_request_set $otpd_email $upstream_http_remote_email;
            auth_request_set $otpd_signin $upstream_http_location;
            # Replaces whatever the client sent in these headers.
            proxy_set_header Remote-User $otpd_user;
            proxy_set_header Remote-Email $otpd_email;
            error_page 401 = @otpd_signin;
            proxy_pass http://APP;
        }

        # A browser goes to sign in (otpd gave the address); a program
        # gets the 401.
        location @otpd_signin {
            if ($otpd_signin = "") {
                return 401;
            }
            return 302 $otpd_signin;
        }
    }
}
`

// startNginxAt runs nginx with nginxConf on listen, and returns its
// origin. It skips when nginx is not installed, unless
// OTPD_REQUIRE_SERVICES=1 (set by CI), which makes that a failure.
func startNginxAt(t *testing.T, listen, otpdAddr, appAddr string) string {
	t.Helper()
	bin, err := exec.LookPath("nginx")
	if err != nil {
		bin, err = exec.LookPath("/usr/sbin/nginx")
	}
	if err != nil {
		if os.Getenv("OTPD_REQUIRE_SERVICES") == "1" {
			t.Fatal("OTPD_REQUIRE_SERVICES=1 but nginx is not installed (apt-get install nginx-light)")
		}
		t.Skip("nginx is not installed (apt-get install nginx-light); skipping the forward auth test")
	}
	dir := t.TempDir()
	conf := strings.NewReplacer("DIR", dir, "LISTEN", listen, "OTPD", otpdAddr, "APP", appAddr).Replace(nginxConf)
	path := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := os.Create(filepath.Join(dir, "stderr"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	// A file, not a pipe: Wait does not wait for the workers to close it.
	cmd := exec.Command(bin, "-p", dir, "-c", path, "-e", filepath.Join(dir, "error.log"))
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// SIGTERM: the master stops its workers, then itself.
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			t.Error("nginx did not stop within 10 s")
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.Dial("tcp", listen)
		if err == nil {
			c.Close()
			return "http://" + listen
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			stderr, _ := os.ReadFile(out.Name())
			t.Fatalf("nginx did not start: %v\n%s\n%s", err, stderr, log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// freeAddr returns a loopback address with a port free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// A real nginx protects an app with otpd's forward auth: a browser
// without a session is sent to sign in and comes back to the page it
// asked for; a session passes with its account named to the app (and
// the client cannot name one itself); a program gets 401; an address the
// app does not admit gets 403.
func TestNginxForwardAuth(t *testing.T) {
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "user=%s email=%s path=%s", r.Header.Get("Remote-User"), r.Header.Get("Remote-Email"), r.URL.RequestURI())
	}))
	t.Cleanup(app.Close)
	appAddr := strings.TrimPrefix(app.URL, "http://")

	// nginx's port must be in otpd's configuration before either starts.
	otpdAddr := freeAddr(t)
	listen := freeAddr(t)
	cfg := filepath.Join(t.TempDir(), "otpd.toml")
	err := os.WriteFile(cfg, []byte(`trusted_proxies = ["127.0.0.1"]
[forward_auth]
enabled = true
[[forward_auth.hosts]]
origin = "http://`+listen+`"
domains = ["example.com"]
`), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	s := startServer(t, nil, "--config", cfg, "--listen", otpdAddr)
	front := startNginxAt(t, listen, otpdAddr, appAddr)
	page := front + "/wiki/page?x=1"
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(u, cookie, accept string, header ...string) (*http.Response, string) {
		t.Helper()
		req, err := http.NewRequest("GET", u, nil)
		if err != nil {
			t.Fatal(err)
		}
		if cookie != "" {
			req.Header.Set("Cookie", "otpd_session="+cookie)
		}
		req.Header.Set("Accept", accept)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		res, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res, string(b)
	}

	// A browser without a session goes to otpd's sign-in page, which
	// will send it back here.
	res, body := get(page, "", "text/html", "Remote-User", "forged")
	signInPage := s.url + "/?" + url.Values{"return": {page}}.Encode()
	if res.StatusCode != http.StatusFound || res.Header.Get("Location") != signInPage {
		t.Fatalf("browser without a session: %d to %q, want 302 to %q\n%s", res.StatusCode, res.Header.Get("Location"), signInPage, body)
	}
	// A program gets the 401.
	if res, body := get(page, "", "application/json"); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("program without a session: %d, want 401\n%s", res.StatusCode, body)
	}

	// The browser signs in on otpd's pages, carrying the return target.
	_, body = get(signInPage, "", "text/html")
	if !strings.Contains(body, `name="return" value="`+page) && !strings.Contains(body, `name="return" value="`+strings.ReplaceAll(page, "&", "&amp;")) {
		t.Fatalf("the sign-in page does not carry the return target:\n%s", body)
	}
	form := url.Values{"email": {"ada@example.com"}, "return": {page}}
	res, err = noRedirect.PostForm(s.url+"/sign-in", form)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	flow := res.Header.Get("Location")
	id := regexp.MustCompile(`^/flows/([a-z0-9]+)\?`).FindStringSubmatch(flow)
	if id == nil {
		t.Fatalf("sign-in: to %q", flow)
	}
	form = url.Values{"code": {s.code(t, "ada@example.com", 0)}, "return": {page}}
	res, err = noRedirect.PostForm(s.url+"/flows/"+id[1]+"/verify", form)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != page {
		t.Fatalf("verify: %d to %q, want 303 to %q", res.StatusCode, res.Header.Get("Location"), page)
	}
	var session string
	for _, c := range res.Cookies() {
		if c.Name == "otpd_session" {
			session = c.Value
		}
	}

	// Back at the app, signed in: the app reads the account's ID, and
	// not what the client said.
	c := s.client()
	c.Token = session
	me, err := c.Me(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// Forwarded headers the client (or a balancer) sends are cleared on
	// the way to otpd, which would otherwise refuse a URL named twice.
	res, body = get(page, session, "text/html", "Remote-User", "forged", "Remote-Email", "forged@example.com",
		"X-Forwarded-Host", "evil.example", "X-Forwarded-Proto", "https", "X-Forwarded-Uri", "/admin")
	want := "user=" + me.ID + " email=ada@example.com path=/wiki/page?x=1"
	if res.StatusCode != http.StatusOK || body != want {
		t.Fatalf("signed in: %d %q, want 200 %q", res.StatusCode, body, want)
	}

	// An account at a domain the app does not admit is refused.
	eve := s.signIn(t, "eve@example.org")
	if res, body := get(page, eve.Token, "text/html"); res.StatusCode != http.StatusForbidden || strings.Contains(body, "user=") {
		t.Fatalf("eve@example.org: %d, want 403\n%s", res.StatusCode, body)
	}
}
