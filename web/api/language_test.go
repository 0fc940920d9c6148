package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/otpd/otpd/web/webtest"
)

// The owner chooses a language over the API, without a step-up, and
// /me says it; "" forgets it.
func TestAPILanguage(t *testing.T) {
	r := webtest.New(t)
	token, _ := r.SignIn(t, "ada@example.com")
	other, _ := r.SignIn(t, "bob@example.com")
	var me struct {
		Language *string `json:"language"`
	}
	r.API(t, "GET", "/api/v1/me", "", token, http.StatusOK, &me)
	if me.Language == nil || *me.Language != "" {
		t.Fatalf("a new account's language: %v", me.Language)
	}
	r.API(t, "PUT", "/api/v1/me/language", `{"language":"de"}`, token, http.StatusNoContent, nil)
	r.API(t, "GET", "/api/v1/me", "", token, http.StatusOK, &me)
	if *me.Language != "de" {
		t.Errorf("language %q, want de", *me.Language)
	}
	r.API(t, "GET", "/api/v1/me", "", other, http.StatusOK, &me)
	if *me.Language != "" {
		t.Errorf("another account's language became %q", *me.Language)
	}
	r.API(t, "PUT", "/api/v1/me/language", `{"language":""}`, token, http.StatusNoContent, nil)
	r.API(t, "GET", "/api/v1/me", "", token, http.StatusOK, &me)
	if *me.Language != "" {
		t.Errorf("language %q after forgetting it", *me.Language)
	}
}

// An error's message follows the request's Accept-Language; its code and
// field do not change, and English keeps the engine's words.
func TestAPIErrorsInTheAskedLanguage(t *testing.T) {
	r := webtest.New(t)
	ask := func(lang string) (code, field, message string) {
		req, _ := http.NewRequest("POST", r.URL+"/api/v1/sign-in", strings.NewReader(`{"email":"no address"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept-Language", lang)
		a := r.Do(t, req)
		var body struct {
			Error struct{ Code, Field, Message string }
		}
		if err := json.Unmarshal([]byte(a.Body), &body); err != nil || a.Status != http.StatusBadRequest {
			t.Fatalf("%d %s", a.Status, a.Body)
		}
		return body.Error.Code, body.Error.Field, body.Error.Message
	}
	deCode, deField, de := ask("de-AT,de;q=0.9")
	enCode, enField, en := ask("en")
	if deCode != enCode || deField != enField || deField != "email" {
		t.Errorf("code or field changed with the language: %s/%s, %s/%s", deCode, deField, enCode, enField)
	}
	if !strings.Contains(de, "E-Mail-Adresse") || en == de || en == "" {
		t.Errorf("de %q, en %q", de, en)
	}
}
