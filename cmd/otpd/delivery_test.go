package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/mail"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/otpd/otpd/smtptest"

	otpddkim "github.com/otpd/otpd/dkim"
)

// smtpEnv points a server at a recording SMTP server on loopback.
func smtpEnv(sink *smtptest.Server) map[string]string {
	return map[string]string{
		"OTPD_SMTP_URL":  "smtp://" + sink.Addr(),
		"OTPD_MAIL_FROM": "Example Accounts <accounts@example.com>",
	}
}

// parts returns the header and the text and HTML bodies of a message,
// failing the test unless it is multipart/alternative with both complete.
func parts(t *testing.T, raw []byte) (h mail.Header, text, html string) {
	t.Helper()
	h, ps, err := smtptest.Parts(raw)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		switch p.ContentType {
		case "text/plain":
			text = p.Body
		case "text/html":
			html = p.Body
		}
	}
	if text == "" || html == "" {
		t.Fatalf("text %d bytes, html %d bytes: both parts must be complete", len(text), len(html))
	}
	return h, text, html
}

// verifyDKIM checks every signature of raw with an implementation
// independent of the signer, against the record otpd publishes for the
// key in its data directory.
func verifyDKIM(t *testing.T, raw []byte, dataDir string) {
	t.Helper()
	key, err := otpddkim.LoadKey(filepath.Join(dataDir, "dkim-rsa.key"))
	if err != nil {
		t.Fatal(err)
	}
	name, value, err := otpddkim.TXTRecord("otpd", "example.com", key.Public())
	if err != nil {
		t.Fatal(err)
	}
	if algs, err := smtptest.VerifyDKIM(raw, map[string]string{name: value}); err != nil || len(algs) != 1 || algs[0] != "rsa-sha256" {
		t.Fatalf("DKIM: %v, %v", algs, err)
	}
}

var grouped = regexp.MustCompile(`(?m)^\s*(\d{3} \d{3} \d{3})\s*$`)
var denyLink = regexp.MustCompile(`https?://\S+/deny/[A-Za-z0-9._~%-]+`)

func TestSignedMailArrivesAndTheDenyLinkCancelsTheCode(t *testing.T) {
	sink := smtptest.Start(t)
	s := startServer(t, smtpEnv(sink))
	f, err := s.client().SignIn(ctx, "ada@example.com")
	if err != nil {
		t.Fatal(err)
	}
	got := sink.WaitMessages(1, 10*time.Second)
	if len(got) != 1 || got[0].To[0] != "ada@example.com" || got[0].From != "accounts@example.com" {
		t.Fatalf("received %+v", got)
	}
	h, text, html := parts(t, got[0].Data)
	verifyDKIM(t, got[0].Data, s.dir)
	if !strings.Contains(h.Get("Message-Id"), "@127.0.0.1>") || h.Get("From") == "" {
		t.Errorf("headers %v", h)
	}
	if grouped.FindString(text) == "" || !strings.Contains(html, grouped.FindStringSubmatch(text)[1]) {
		t.Fatalf("no code in both parts:\n%s", text)
	}
	links := denyLink.FindAllString(text, -1)
	if len(links) != 1 || !strings.HasPrefix(links[0], s.url+"/deny/") {
		t.Fatalf("deny links %q, want exactly one on %s", links, s.url)
	}

	resp, err := http.Get(links[0])
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("deny page: %d", resp.StatusCode)
	}
	req, _ := http.NewRequest("POST", links[0], nil)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "cancelled") {
		t.Fatalf("deny: %d %s", resp.StatusCode, body)
	}
	code := strings.ReplaceAll(grouped.FindStringSubmatch(text)[1], " ", "")
	_, err = s.client().Verify(ctx, f.FlowID, code)
	apiError(t, err, http.StatusBadRequest, "code_expired")
}

// An outage of the relay loses nothing and duplicates nothing: the outbox
// retries, and each message arrives once, by Message-ID.
func TestRelayOutageLosesNothing(t *testing.T) {
	sink := smtptest.Start(t)
	s := startServer(t, smtpEnv(sink))
	sink.Stop()
	var flows []string
	for i := range 3 {
		f, err := s.client().SignIn(ctx, fmt.Sprintf("user%d@example.com", i))
		if err != nil {
			t.Fatal(err)
		}
		flows = append(flows, f.FlowID)
	}
	// Bring the relay back only once delivery has failed against it.
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(s.logs.String(), "will retry"); {
		if time.Now().After(deadline) {
			t.Fatal("no delivery was tried while the relay was down")
		}
		time.Sleep(10 * time.Millisecond)
	}
	sink.Restart()
	got := sink.WaitMessages(3, 30*time.Second)
	seen := map[string]int{}
	for _, m := range got {
		msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
		if err != nil {
			t.Fatal(err)
		}
		seen[msg.Header.Get("Message-Id")]++
	}
	if len(seen) != 3 {
		t.Fatalf("%d distinct messages after the outage, want 3: %v", len(seen), seen)
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("%s arrived %d times", id, n)
		}
	}
	// The code that arrived late still signs its owner in.
	for _, m := range got {
		if m.To[0] != "user0@example.com" {
			continue
		}
		_, text, _ := parts(t, m.Data)
		code := strings.ReplaceAll(grouped.FindStringSubmatch(text)[1], " ", "")
		if _, err := s.client().Verify(ctx, flows[0], code); err != nil {
			t.Errorf("the delivered code does not verify: %v", err)
		}
	}
}

// Header injection through what a requester controls fails cleanly: the
// address is refused, and a hostile user agent or language list reaches the
// body only, escaped, never the headers.
func TestHeaderInjectionFails(t *testing.T) {
	sink := smtptest.Start(t)
	s := startServer(t, smtpEnv(sink))
	_, err := s.client().SignIn(ctx, "ada@example.com\r\nBcc: evil@example.net")
	if e := apiError(t, err, http.StatusBadRequest, "invalid_request"); e.Field != "email" {
		t.Errorf("field %q", e.Field)
	}
	req, _ := http.NewRequest("POST", s.url+"/api/v1/sign-in", strings.NewReader(`{"email":"ada@example.com"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Mozilla/5.0 \u2028Bcc: evil@example.net \u202e<script>x</script>")
	req.Header.Set("Accept-Language", "de\u2028Bcc: evil@example.net")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("status %d", resp.StatusCode)
	}
	got := sink.WaitMessages(1, 10*time.Second)
	if len(got) != 1 || len(got[0].To) != 1 || got[0].To[0] != "ada@example.com" {
		t.Fatalf("received %+v", got)
	}
	h, _, html := parts(t, got[0].Data)
	for k, vs := range h {
		for _, v := range vs {
			if strings.Contains(strings.ToLower(k+v), "evil") {
				t.Errorf("header %s: %s carries the injected text", k, v)
			}
		}
	}
	if strings.Contains(html, "<script>") {
		t.Error("the HTML part carries an unescaped <script>")
	}
}
