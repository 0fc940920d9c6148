package main

import (
	"context"
	"database/sql"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// Pages and the API put an event in words from its type and typed fields
// alone. The detail column, where older versions wrote sentences, is
// still in the database and nothing may read it: planted words there
// must reach neither.
func TestActivityWordsComeFromTypedFields(t *testing.T) {
	s := startServer(t, nil)
	ada := s.signIn(t, "ada@example.com")
	db, err := sql.Open("sqlite", "file:"+filepath.Join(s.dir, "otpd.db")+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{
		`UPDATE events SET detail = 'PLANTED DETAIL'`,
		`INSERT INTO events (id, type, at, account_id, email, email_key, flow_id, ip, user_agent, place,
			purpose, resend, reason, concerns, detail)
			SELECT 'planted', 'device_forgotten', at + 1, account_id, email, email_key, '', ip, user_agent, place,
			'', 0, '', 'Firefox on Linux', 'PLANTED DETAIL' FROM events WHERE type = 'session_started'`,
	} {
		if _, err := db.ExecContext(t.Context(), q); err != nil {
			t.Fatal(err)
		}
	}

	evs, err := ada.Activity(context.Background())
	if err != nil || len(evs) < 4 {
		t.Fatalf("activity: %+v, %v", evs, err)
	}
	for _, ev := range evs {
		if ev.Detail == "" || strings.Contains(ev.Detail, "PLANTED") {
			t.Errorf("the API says %q of a %s event", ev.Detail, ev.Type)
		}
	}
	if evs[0].Type != "device_forgotten" || evs[0].Detail != "Device forgotten. It was Firefox on Linux." {
		t.Errorf("newest event %+v, want the planted device_forgotten in words", evs[0])
	}

	req, err := http.NewRequest(http.MethodGet, s.url+"/account/activity", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.AddCookie(&http.Cookie{Name: "otpd_session", Value: ada.Token})
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	page := string(body)
	if resp.StatusCode != http.StatusOK || strings.Contains(page, "PLANTED") {
		t.Fatalf("activity page %d says the planted detail:\n%s", resp.StatusCode, page)
	}
	mustContain(t, page, "Device forgotten</span>", "It was Firefox on Linux.",
		"A code to create your account was requested</span>", "It was used to create your account")
}
