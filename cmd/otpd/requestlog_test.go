package main

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// With log.format json every line the server writes is one JSON object,
// the dev mailbox's warning too; and every request is one line naming its
// request ID, method, route pattern, status, duration, client IP and
// bytes, but never what the request carried: no code, token, flow ID,
// address or query string, wherever the client put them. A client's
// X-Request-ID is kept and echoed when it is short and plain, and
// replaced otherwise.
func TestRequestLogsInJSON(t *testing.T) {
	s := startServer(t, map[string]string{"OTPD_LOG_FORMAT": "json", "OTPD_TRUSTED_PROXIES": "127.0.0.1"})
	const email = "ada.lovelace@example.com"
	c := s.client()
	f, err := c.SignIn(ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	code := s.code(t, email, 0)
	in, err := c.Verify(ctx, f.FlowID, code)
	if err != nil {
		t.Fatal(err)
	}
	token := in.SessionToken
	deny := strings.Repeat("d", 43)

	type sent struct {
		method, path, id, route string
		header                  http.Header
		status                  int
		keepID                  bool
	}
	long := strings.Repeat("a", 65)
	reqs := []sent{
		{method: "GET", path: "/api/v1/me", header: http.Header{"Authorization": {"Bearer " + token}},
			id: "req-1.A_b", keepID: true, route: "GET /api/v1/me", status: 200},
		{method: "GET", path: "/flows/" + f.FlowID + "?code=" + code + "&email=" + email + "&token=" + token,
			id: long, route: "GET /flows/{flow_id}", status: 200},
		{method: "GET", path: "/deny/" + deny + "?to=" + email, id: "x\" level=ERROR msg=evil",
			route: "GET /deny/{token}", status: 404},
		{method: "POST", path: "/api/v1/flows/" + f.FlowID + "/verify", header: http.Header{
			"Authorization": {"Bearer " + token}, "Content-Type": {"application/json"}},
			id: "<script>", route: "POST /api/v1/flows/{flow_id}/verify", status: 400},
		{method: "GET", path: "/readyz", route: "GET /readyz", status: 200,
			header: http.Header{"X-Forwarded-For": {"203.0.113.9"}}},
		{method: "GET", path: "/no/such/" + email, route: "/", status: 404},
	}
	echoed := map[string]sent{}
	for _, rq := range reqs {
		req, err := http.NewRequest(rq.method, s.url+rq.path, strings.NewReader(`{"code":"`+code+`"}`))
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range rq.header {
			req.Header[k] = v
		}
		if rq.id != "" {
			req.Header.Set("X-Request-ID", rq.id)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		id := resp.Header.Get("X-Request-ID")
		switch {
		case rq.keepID && id != rq.id:
			t.Errorf("%s %s: X-Request-ID %q, want the client's %q", rq.method, rq.route, id, rq.id)
		case !rq.keepID && (id == rq.id || !regexp.MustCompile(`^[A-Z2-7]{26}$`).MatchString(id)):
			t.Errorf("%s %s: X-Request-ID %q for the client's %q, want a new one", rq.method, rq.route, id, rq.id)
		}
		if resp.StatusCode != rq.status {
			t.Errorf("%s %s: %d, want %d", rq.method, rq.route, resp.StatusCode, rq.status)
		}
		echoed[id] = rq
	}

	logs := s.logs.String()
	type line struct {
		Level     string   `json:"level"`
		Msg       string   `json:"msg"`
		RequestID string   `json:"request_id"`
		Method    string   `json:"method"`
		Route     string   `json:"route"`
		Status    int      `json:"status"`
		Duration  *float64 `json:"duration_ms"`
		ClientIP  string   `json:"client_ip"`
		Bytes     *int64   `json:"bytes"`
	}
	var requests int
	banner := false
	for _, raw := range strings.Split(strings.TrimSpace(logs), "\n") {
		var l line
		if err := json.Unmarshal([]byte(raw), &l); err != nil {
			t.Errorf("a log line is not JSON: %v\n%s", err, raw)
			continue
		}
		if strings.Contains(l.Msg, "MAIL IS NOT SENT") && l.Level == "WARN" {
			banner = true
		}
		if l.Msg != "request" {
			continue
		}
		requests++
		if l.Level != "INFO" || l.Method == "" || l.Route == "" || l.Status == 0 || l.Duration == nil || l.Bytes == nil || l.ClientIP == "" {
			t.Errorf("request line lacks a field: %s", raw)
		}
		rq, ok := echoed[l.RequestID]
		if !ok {
			continue
		}
		delete(echoed, l.RequestID)
		if l.Method != rq.method || l.Route != rq.route || l.Status != rq.status {
			t.Errorf("line %s for %s %s %d", raw, rq.method, rq.route, rq.status)
		}
		if want := "127.0.0.1"; rq.route == "GET /readyz" {
			if l.ClientIP != "203.0.113.9" {
				t.Errorf("client_ip %q behind a trusted proxy, want 203.0.113.9", l.ClientIP)
			}
		} else if l.ClientIP != want {
			t.Errorf("client_ip %q, want %s", l.ClientIP, want)
		}
		if *l.Bytes <= 0 {
			t.Errorf("%s answered %d bytes", rq.route, *l.Bytes)
		}
	}
	for id, rq := range echoed {
		t.Errorf("no log line with request ID %q (%s %s)", id, rq.method, rq.route)
	}
	if !banner {
		t.Errorf("no JSON warning that mail is not sent")
	}
	if requests < len(reqs)+3 {
		t.Errorf("%d request lines for at least %d requests", requests, len(reqs)+3)
	}
	for _, secret := range []string{code, token, f.FlowID, deny, "ada.lovelace", "?", "code=", "level=ERROR", "<script>", long} {
		if strings.Contains(logs, secret) {
			t.Errorf("the logs hold %q:\n%s", secret, logs)
		}
	}
}
