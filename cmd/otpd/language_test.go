package main

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// With German as the server's default, an account that chose nothing gets
// German emails, and one that chose English gets English ones, whatever
// the browser of whoever asks for the code: the requester's
// Accept-Language never chooses the language of someone else's email.
func TestEmailLanguageIsNeverTheRequesters(t *testing.T) {
	s := startServer(t, map[string]string{"OTPD_LANGUAGE_DEFAULT": "de"})
	ada := s.signIn(t, "ada@example.com")
	if err := ada.SetLanguage(ctx, "en"); err != nil {
		t.Fatal(err)
	}
	if me, err := ada.Me(ctx); err != nil || me.Language != "en" {
		t.Fatalf("Me: %+v, %v", me, err)
	}
	s.signIn(t, "bob@example.com")
	for _, tc := range []struct{ email, accept, want string }{
		{"ada@example.com", "de-DE,de;q=0.9", "Your sign-in code"},
		{"bob@example.com", "en-US,en;q=0.9", "Ihr Anmeldecode"},
	} {
		n := s.messages(t, tc.email)
		req, _ := http.NewRequest("POST", s.url+"/api/v1/sign-in", strings.NewReader(`{"email":"`+tc.email+`"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept-Language", tc.accept)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if m := s.mail(t, tc.email, n); m.Subject != tc.want {
			t.Errorf("to %s, asked for from a browser in %s: subject %q, want %q", tc.email, tc.accept, m.Subject, tc.want)
		}
	}
}

// A default language the catalogue lacks, or an override that would
// break a message, stops the server at start, naming what is wrong.
func TestServeRefusesBadLanguageSettings(t *testing.T) {
	if _, _, err := runCmd(t, map[string]string{"OTPD_LANGUAGE_DEFAULT": "xx"}, "serve", "--data", t.TempDir()); err == nil ||
		!strings.Contains(err.Error(), `language: catalog: default language "xx"`) {
		t.Errorf("unknown default: %v", err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "de.toml"), []byte("[signin]\nheading = \"Hallo {{.Name}}\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runCmd(t, map[string]string{"OTPD_LANGUAGE_MESSAGES_DIR": dir}, "serve", "--data", t.TempDir()); err == nil ||
		!strings.Contains(err.Error(), `de.toml: key "signin.heading": placeholders [Name], want []`) {
		t.Errorf("override with a placeholder of its own: %v", err)
	}
}
