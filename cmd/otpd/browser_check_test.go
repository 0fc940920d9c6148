package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// rawMessage fetches the signed .eml of a message from the dev mailbox.
func (s *server) rawMessage(t *testing.T, id string) []byte {
	t.Helper()
	resp, err := http.Get(s.url + "/dev/mailbox/raw?id=" + url.QueryEscape(id))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("raw message %s: %d %v", id, resp.StatusCode, err)
	}
	return raw
}

// A person checks a message in a real browser: the owner, signed in,
// reaches "Check a message" from the hub, types the reference of a code
// someone else asked for, sees who asked and reports it; uploads of the
// message as sent, with a link swapped and forged get their verdicts; and
// signed out, the same reference says only that we sent it.
func TestBrowserChecksAMessage(t *testing.T) {
	ctx := chromium(t)
	s := geoServer(t)
	shots := screenshots(t)
	do(t, ctx, chromedp.EmulateViewport(phoneWidth, 800), setHeaders(network.Headers{"X-Forwarded-For": "203.0.113.5"}))
	const email = "ada@example.com"
	browserSignIn(t, ctx, s, email)
	_, flow := s.askFrom(t, email, "198.51.100.9")
	m := s.mail(t, email, 0)
	ref := refLine.FindStringSubmatch(m.Text)[1]
	raw := s.rawMessage(t, m.ID)

	do(t, ctx, chromedp.Navigate(s.url+"/"), chromedp.Click(`a[href="/check"]`), chromedp.WaitVisible("#reference"))
	do(t, ctx, chromedp.SendKeys("#reference", ref), chromedp.Submit("#reference"), chromedp.WaitVisible("#answer-h"))
	wantText(t, ctx, "main", "Yes: we sent a message with this reference", "a•••@example.com", "A single-use code",
		"Who asked for it", "Lagos, Nigeria", "198.51.100.9")
	shots.take(t, ctx, "check-reference-owner")
	do(t, ctx, chromedp.Click(`a[href="/account/activity/`+flow.FlowID+`/report"]`), chromedp.WaitVisible(`form.actions button`))
	wantText(t, ctx, "main", "Report this code request?", "198.51.100.9")

	dir := t.TempDir()
	upload := func(name string, b []byte, title string) {
		t.Helper()
		path := filepath.Join(dir, name+".eml")
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		do(t, ctx, chromedp.Navigate(s.url+"/check"), chromedp.WaitVisible("#file"),
			chromedp.SetUploadFiles("#file", []string{path}), chromedp.Submit("#file"), chromedp.WaitVisible("#details-h"))
		wantText(t, ctx, "h1", title)
		shots.take(t, ctx, "check-"+name)
	}
	upload("genuine", raw, "This message is from us")
	wantText(t, ctx, "main", "Its code is the one we made for that request", "a•••@example.com")
	upload("link-swapped", bytes.ReplaceAll(raw, []byte(s.url+"/deny/"), []byte("http://login-example.net/deny/")),
		"We sent this message, but it was changed")
	wantText(t, ctx, "main", "It now links to another site.", "login-example.net")
	forged := "From: otpd <no-reply@127.0.0.1>\r\nSubject: Your sign-in code\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
		"Use this code: 123 456 789\r\nThis wasn't me: http://login-example.net/deny/x\r\nRef K7QP-2MXD.\r\n"
	upload("forged", []byte(forged), "This message is not from us")
	wantText(t, ctx, "main", "It carries no signature from us.", "It links to another site.")

	// Pasted, as the message's source is often copied.
	// The DevTools protocol sets a textarea's value by script; the page
	// itself has none.
	js, _ := json.Marshal(string(raw))
	do(t, ctx, chromedp.Navigate(s.url+"/check"), chromedp.WaitVisible("#message"))
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[any](`document.querySelector("#message").value = `+string(js))); err != nil {
		t.Fatal(err)
	}
	do(t, ctx, chromedp.Submit("#message"), chromedp.WaitVisible("#details-h"))
	wantText(t, ctx, "h1", "This message is from us")

	do(t, ctx, chromedp.Navigate(s.url+"/"), chromedp.Click(`form[action="/sign-out"] button`), chromedp.WaitVisible("#email"))
	do(t, ctx, chromedp.Click(`a[href="/check"]`), chromedp.WaitVisible("#reference"),
		chromedp.SendKeys("#reference", ref), chromedp.Submit("#reference"), chromedp.WaitVisible("#answer-h"))
	text, err := chromedp.Run(ctx, chromedp.Text("main"))
	if err != nil {
		t.Fatal(err)
	}
	wantText(t, ctx, "main", "Yes: we sent a message with this reference", "a•••@example.com")
	if bytes.Contains([]byte(text), []byte("Who asked")) || bytes.Contains([]byte(text), []byte("single-use code")) {
		t.Errorf("signed out, the check tells more than the message does:\n%s", text)
	}
	shots.take(t, ctx, "check-reference")
}
