package webtest

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/otpd/otpd/client"
)

// Answer is what the server answered.
type Answer struct {
	Status  int
	Header  http.Header
	Body    string
	Cookies []*http.Cookie
}

// Do sends req as it is, without following redirects.
func (r *Rig) Do(t *testing.T, req *http.Request) Answer {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return read(t, res)
}

func read(t *testing.T, res *http.Response) Answer {
	t.Helper()
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return Answer{Status: res.StatusCode, Header: res.Header, Body: string(b), Cookies: res.Cookies()}
}

// API sends a JSON request, with token as the bearer token unless it is
// "", fails the test unless the answer has status want, and decodes the
// answer into out unless it is nil.
func (r *Rig) API(t *testing.T, method, path, body, token string, want int, out any) Answer {
	t.Helper()
	req, err := http.NewRequest(method, r.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	a := r.Do(t, req)
	if a.Status != want {
		t.Fatalf("%s %s: %d, want %d: %s", method, path, a.Status, want, a.Body)
	}
	if out != nil {
		if err := json.Unmarshal([]byte(a.Body), out); err != nil {
			t.Fatalf("%s %s: %v in %q", method, path, err, a.Body)
		}
	}
	return a
}

// Page sends a browser's request from this site (a form when form is not
// nil), with session as the session cookie unless it is "", and fails
// the test unless the answer has status want.
func (r *Rig) Page(t *testing.T, method, path string, form url.Values, session string, want int) Answer {
	t.Helper()
	req, err := http.NewRequest(method, r.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if session != "" {
		req.AddCookie(&http.Cookie{Name: "otpd_session", Value: session})
	}
	a := r.Do(t, req)
	if a.Status != want {
		t.Fatalf("%s %s: %d, want %d: %s", method, path, a.Status, want, a.Body)
	}
	return a
}

// Code delivers the outbox and reads the code of the newest message to
// email in the dev mailbox.
func (r *Rig) Code(t *testing.T, email string) string {
	t.Helper()
	return r.CodeAfter(t, email, 0)
}

// Deliver sends what the outbox holds now, such as a notice, so that the
// next Code reads the code that follows it.
func (r *Rig) Deliver(t *testing.T) {
	t.Helper()
	if _, err := r.worker.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// Flow asks for a sign-in code for email and returns its flow's ID.
func (r *Rig) Flow(t *testing.T, email string) string {
	t.Helper()
	var f struct {
		ID string `json:"flow_id"`
	}
	r.API(t, "POST", "/api/v1/sign-in", `{"email":"`+email+`"}`, "", http.StatusAccepted, &f)
	return f.ID
}

// SignIn signs email in with a code and returns the session's token and
// the flow that started it.
func (r *Rig) SignIn(t *testing.T, email string) (token, flow string) {
	t.Helper()
	flow = r.Flow(t, email)
	var in struct {
		Token string `json:"session_token"`
	}
	r.API(t, "POST", "/api/v1/flows/"+flow+"/verify", `{"code":"`+r.Code(t, email)+`"}`, "", http.StatusOK, &in)
	return in.Token, flow
}

// StepUp confirms with a code, in the session of token, that it is email's
// owner, as a sensitive change asks.
func (r *Rig) StepUp(t *testing.T, token, email string) {
	t.Helper()
	var f struct {
		ID string `json:"flow_id"`
	}
	r.API(t, "POST", "/api/v1/me/step-up", "", token, http.StatusAccepted, &f)
	r.API(t, "POST", "/api/v1/me/step-up/"+f.ID+"/verify", `{"code":"`+r.Code(t, email)+`"}`, token, http.StatusOK, nil)
}

// PostJSON posts body to u with extra cookies and returns the answer and
// its body, trimmed.
func PostJSON(t *testing.T, u, body string, cookies []*http.Cookie) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest("POST", u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for _, c := range cookies {
		req.AddCookie(c)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, strings.TrimSpace(string(raw))
}

// HeaderNames are the answer's header names, but those that vary by
// nature (Date) or with the body (Content-Length): two answers that must
// not tell accounts apart have the same.
func HeaderNames(resp *http.Response) []string {
	var names []string
	for k := range resp.Header {
		if k != "Date" && k != "Content-Length" {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	return names
}

// CurrentSession is the ID of the session c signed in with.
func CurrentSession(t *testing.T, c *client.Client) string {
	t.Helper()
	ss, err := c.Sessions(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range ss {
		if x.Current {
			return x.ID
		}
	}
	t.Fatalf("no current session among %+v", ss)
	return ""
}
