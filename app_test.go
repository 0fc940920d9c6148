package otpd

import (
	"slices"
	"testing"
)

func TestRedirectExactMatch(t *testing.T) {
	app := App{RedirectURIs: []string{
		"https://app.example/callback",
		"http://127.0.0.1:8080/cb",
		"com.example.app:/oauth2redirect",
	}}
	for _, tc := range []struct {
		uri  string
		want bool
	}{
		{"https://app.example/callback", true},
		{"http://127.0.0.1:8080/cb", true},
		{"com.example.app:/oauth2redirect", true},
		{"", false},
		{"https://app.example/callback/", false},              // trailing slash
		{"https://app.example/Callback", false},               // case of the path
		{"https://APP.example/callback", false},               // case of the host
		{"HTTPS://app.example/callback", false},               // case of the scheme
		{"https://app.example/callback?next=/evil", false},    // query
		{"https://app.example/callback?", false},              // empty query
		{"https://app.example:443/callback", false},           // explicit port
		{"https://app.example:8443/callback", false},          // another port
		{"http://127.0.0.1:8081/cb", false},                   // loopback, another port
		{"http://localhost:8080/cb", false},                   // loopback by name
		{"https://app.example/callback#frag", false},          // fragment
		{"https://app.example/callback#", false},              // empty fragment
		{"http://app.example/callback", false},                // downgraded scheme
		{"https://app.example/callback/../callback", false},   // dot segments
		{"https://app.example/%63allback", false},             // escaped letter
		{"https://app.example.evil/callback", false},          // suffix host
		{"https://evil@app.example/callback", false},          // userinfo
		{" https://app.example/callback", false},              // space
		{"https://app.example/callback\x00", false},           // NUL
		{"https://app.example/callback https://e.vil", false}, // two in one
	} {
		if got := app.RedirectAllowed(tc.uri); got != tc.want {
			t.Errorf("RedirectAllowed(%q) = %v, want %v", tc.uri, got, tc.want)
		}
	}
	if (App{}).RedirectAllowed("") {
		t.Error("an app without URIs allowed the empty URI")
	}
}

func TestPostLogoutExactMatch(t *testing.T) {
	app := App{PostLogoutURIs: []string{"https://app.example/bye"}}
	if !app.PostLogoutAllowed("https://app.example/bye") {
		t.Error("registered URI refused")
	}
	for _, u := range []string{"", "https://app.example/bye/", "https://app.example/bye?x", "https://app.example/BYE"} {
		if app.PostLogoutAllowed(u) {
			t.Errorf("PostLogoutAllowed(%q) = true", u)
		}
	}
}

func TestAppOrigins(t *testing.T) {
	app := App{RedirectURIs: []string{
		"https://app.example/a", "https://app.example/b", "http://127.0.0.1:8080/cb",
		"com.example.app:/cb", "::not a url",
	}}
	want := []string{"https://app.example", "http://127.0.0.1:8080"}
	if got := app.Origins(); !slices.Equal(got, want) {
		t.Errorf("Origins = %q, want %q", got, want)
	}
}
