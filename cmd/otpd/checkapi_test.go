package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// call sends body to the server as a client at ip (behind the trusted
// proxy) and returns the status and the decoded JSON or page.
func call(t *testing.T, s *server, ip, method, path, ctype string, body []byte, header ...string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, s.url+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("X-Forwarded-For", ip)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func trustedEnv(env map[string]string) map[string]string {
	return withEnv(env, "OTPD_TRUSTED_PROXIES", "127.0.0.1/32")
}

// Real messages, sent through SMTP and then altered, re-signed or
// forged, get the same verdict from the JSON API as from otpd inspect.
func TestCheckMessageAPI(t *testing.T) {
	sink, env := smtpSink(t)
	s := startServer(t, trustedEnv(env))
	raw := sendOne(t, s, sink)
	i := 0
	for name, c := range alterations(t, s, raw) {
		i++
		status, body := call(t, s, fmt.Sprintf("198.51.100.%d", i), "POST", "/api/v1/check/message", "message/rfc822", c.raw)
		var rep struct {
			Verdict string `json:"verdict"`
			Sent    *struct{ To string }
			Code    string
		}
		if err := json.Unmarshal([]byte(body), &rep); status != 200 || err != nil {
			t.Fatalf("%s: %d %s", name, status, body)
		}
		if rep.Verdict != c.verdict {
			t.Errorf("%s: verdict %s, want %s: %s", name, rep.Verdict, c.verdict, body)
		}
		if c.verdict == "genuine" && (rep.Sent == nil || rep.Sent.To != "a•••@example.com" || rep.Code != "matches") {
			t.Errorf("%s: %s", name, body)
		}
	}
}

// A reference tells anyone that we sent it, to whom (masked) and when,
// and nothing more; the owner, signed in, also learns what it was and who
// asked, and reports it with the activity's "This wasn't me".
func TestCheckReferenceAPI(t *testing.T) {
	s := startServer(t, trustedEnv(nil))
	owner := s.signIn(t, "ada@example.com")
	n := s.messages(t, "ada@example.com")
	f, err := s.client().SignIn(ctx, "ada@example.com")
	if err != nil {
		t.Fatal(err)
	}
	ref := refLine.FindStringSubmatch(s.mail(t, "ada@example.com", n).Text)[1]
	keysOf := func(body string) []string {
		var m map[string]any
		json.Unmarshal([]byte(body), &m)
		var ks []string
		for k := range m {
			ks = append(ks, k)
		}
		slices.Sort(ks)
		return ks
	}
	status, body := call(t, s, "198.51.100.1", "POST", "/api/v1/check/reference", "application/json",
		[]byte(`{"reference":"`+strings.ToLower(ref)+`"}`))
	if status != 200 || !strings.Contains(body, `"to":"a•••@example.com"`) ||
		!slices.Equal(keysOf(body), []string{"reference", "sent", "sent_at", "to"}) {
		t.Fatalf("anonymous: %d %s", status, body)
	}
	// Someone else signed in is told no more.
	other := s.signIn(t, "bob@example.com")
	status, body = call(t, s, "198.51.100.2", "POST", "/api/v1/check/reference", "application/json",
		[]byte(`{"reference":"`+ref+`"}`), "Authorization", "Bearer "+other.Token)
	if status != 200 || !slices.Equal(keysOf(body), []string{"reference", "sent", "sent_at", "to"}) {
		t.Fatalf("another account: %d %s", status, body)
	}
	status, body = call(t, s, "198.51.100.3", "POST", "/api/v1/check/reference", "application/json",
		[]byte(`{"reference":"`+ref+`"}`), "Authorization", "Bearer "+owner.Token)
	if status != 200 || !strings.Contains(body, `"kind":"code"`) || !strings.Contains(body, `"flow_id":"`+f.FlowID+`"`) {
		t.Fatalf("owner: %d %s", status, body)
	}
	rep, err := owner.ReportFlow(ctx, f.FlowID)
	if err != nil || rep.Status != "denied" {
		t.Fatalf("report: %+v %v", rep, err)
	}
	status, body = call(t, s, "198.51.100.4", "POST", "/api/v1/check/reference", "application/json", []byte(`{"reference":"AAAA-BBBB"}`))
	if status != 200 || body != `{"reference":"AAAA-BBBB","sent":false}`+"\n" {
		t.Errorf("unknown reference: %d %q", status, body)
	}
	status, body = call(t, s, "198.51.100.4", "POST", "/api/v1/check/reference", "application/json", []byte(`{"reference":"AAAA-BBB"}`))
	if status != 400 || !strings.Contains(body, `"field":"reference"`) {
		t.Errorf("malformed reference: %d %s", status, body)
	}
	// Per IP, the checks run out.
	for range 25 {
		status, body = call(t, s, "198.51.100.99", "POST", "/api/v1/check/reference", "application/json", []byte(`{"reference":"AAAA-BBBB"}`))
	}
	if status != 429 {
		t.Errorf("the 25th check from one IP: %d %s", status, body)
	}
}

// Hostile messages, to the API and to the page, are refused with an
// answer that names the message, never a 5xx.
func TestCheckRefusesHostileMessages(t *testing.T) {
	s := startServer(t, trustedEnv(nil))
	nest := "From: a@example.com\r\nContent-Type: multipart/mixed; boundary=b0\r\n\r\n"
	for i := range 60 {
		nest += fmt.Sprintf("--b%d\r\nContent-Type: multipart/mixed; boundary=b%d\r\n\r\n", i, i+1)
	}
	bombs := map[string]string{
		"huge":          "From: a@example.com\r\n\r\n" + strings.Repeat("x", 600<<10),
		"deep":          nest,
		"parts":         "From: a@example.com\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n" + strings.Repeat("--x\r\n\r\nhi\r\n", 500),
		"decoded":       "From: a@example.com\r\nContent-Transfer-Encoding: base64\r\n\r\n" + strings.Repeat("QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB\r\n", 14000),
		"invalid utf-8": "From: a@example.com\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\xff\xfe\xfd",
		"malformed":     "From: a@example.com\r\nContent-Type: multipart/mixed; boundary=\"\r\n\r\n--\r\n",
		"binary":        "\x00\x01\x02\x03",
	}
	i := 0
	for name, raw := range bombs {
		i++
		ip := fmt.Sprintf("198.51.100.%d", i)
		status, body := call(t, s, ip, "POST", "/api/v1/check/message", "message/rfc822", []byte(raw))
		if status != 400 || !strings.Contains(body, `"field":"message"`) {
			t.Errorf("API, %s: %d %s", name, status, body)
		}
		var form bytes.Buffer
		mw := multipart.NewWriter(&form)
		fw, _ := mw.CreateFormFile("file", "message.eml")
		fw.Write([]byte(raw))
		mw.Close()
		status, body = call(t, s, ip, "POST", "/check/message", mw.FormDataContentType(), form.Bytes())
		if status != 400 || !strings.Contains(body, `id="message-error"`) {
			t.Errorf("page, %s: %d %.300s", name, status, body)
		}
	}
	if strings.Contains(s.logs.String(), "level=ERROR") {
		t.Errorf("hostile messages were logged as server errors:\n%s", s.logs)
	}
}
