package api_test

import (
	"log/slog"
	"net/http"
	"os"
	"testing"

	"github.com/otpd/otpd/web/webtest"
)

// GET /api/v1/me/apps lists the app a person let sign them in, and
// DELETE /api/v1/me/apps/{client_id} removes it, ending its refresh
// token; another account neither sees nor removes it (invariant 9).
func TestAppsOverAPI(t *testing.T) {
	r := webtest.NewOIDC(t)
	b := r.Browser("203.0.113.7")
	tok := r.AppSignIn(t, b, "ada@example.com")
	ada := r.Client("")
	ada.Token = b.Cookie("otpd_session")
	bob := r.Session(t, "bob@example.com", "")

	var list struct {
		Apps []struct {
			ClientID string   `json:"client_id"`
			Name     string   `json:"name"`
			Scopes   []string `json:"scopes"`
		} `json:"apps"`
	}
	r.API(t, "GET", "/api/v1/me/apps", "", ada.Token, http.StatusOK, &list)
	if len(list.Apps) != 1 || list.Apps[0].ClientID != "notes" || list.Apps[0].Name != "Notes" || len(list.Apps[0].Scopes) != 3 {
		t.Fatalf("apps: %+v", list.Apps)
	}
	apps, err := ada.Apps(ctx)
	if err != nil || len(apps) != 1 || apps[0].ClientID != "notes" || apps[0].GrantedAt.IsZero() {
		t.Fatalf("client Apps: %+v, %v", apps, err)
	}
	r.API(t, "GET", "/api/v1/me/apps", "", "", http.StatusUnauthorized, nil)

	// Another account sees none and removes nothing.
	if apps, err := bob.Apps(ctx); err != nil || len(apps) != 0 {
		t.Fatalf("bob's apps: %+v, %v", apps, err)
	}
	apiError(t, bob.RemoveApp(ctx, "notes"), http.StatusNotFound, "not_found")
	r.API(t, "DELETE", "/api/v1/me/apps/notes", "", bob.Token, http.StatusNotFound, nil)
	next, err := r.Refresh(tok.RefreshToken)
	if err != nil {
		t.Fatalf("refresh after bob's attempts: %v", err)
	}
	if apps, _ := ada.Apps(ctx); len(apps) != 1 {
		t.Fatalf("ada's apps after bob's attempts: %+v", apps)
	}

	if err := ada.RemoveApp(ctx, "notes"); err != nil {
		t.Fatal(err)
	}
	if apps, err := ada.Apps(ctx); err != nil || len(apps) != 0 {
		t.Fatalf("after RemoveApp: %+v, %v", apps, err)
	}
	if _, err := r.Refresh(next.RefreshToken); err == nil {
		t.Fatal("the refresh token outlived RemoveApp")
	}
	r.API(t, "DELETE", "/api/v1/me/apps/notes", "", ada.Token, http.StatusNotFound, nil)
}

// The raw API removes too, with 204.
func TestRemoveAppOverRawAPI(t *testing.T) {
	r := webtest.NewOIDC(t)
	b := r.Browser("203.0.113.7")
	tok := r.AppSignIn(t, b, "ada@example.com")
	r.API(t, "DELETE", "/api/v1/me/apps/notes", "", b.Cookie("otpd_session"), http.StatusNoContent, nil)
	if _, err := r.Refresh(tok.RefreshToken); err == nil {
		t.Fatal("the refresh token outlived DELETE")
	}
}

// TestMain quiets the OpenID Connect library, which logs every refusal
// to slog's default logger.
func TestMain(m *testing.M) {
	slog.SetDefault(slog.New(slog.DiscardHandler))
	os.Exit(m.Run())
}
