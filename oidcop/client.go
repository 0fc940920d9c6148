package oidcop

import (
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/otpd/otpd"
)

// app is an otpd.App as the library reads a client.
type app struct {
	otpd.App
	idTokenLifetime time.Duration
	loginURL        func(id string) string
}

var _ op.Client = app{}

func (a app) GetID() string                    { return a.ID }
func (a app) RedirectURIs() []string           { return a.App.RedirectURIs }
func (a app) PostLogoutRedirectURIs() []string { return a.PostLogoutURIs }

// ApplicationType: a public app is native for the library, so that it
// needs PKCE at the token endpoint; our own checks are stricter still
// (redirect URIs match exactly, loopback ports included).
func (a app) ApplicationType() op.ApplicationType {
	if a.Public {
		return op.ApplicationTypeNative
	}
	return op.ApplicationTypeWeb
}

func (a app) AuthMethod() oidc.AuthMethod {
	if a.Public {
		return oidc.AuthMethodNone
	}
	return oidc.AuthMethodBasic
}

func (a app) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}

// GrantTypes offers refresh only to apps that may ask for offline access.
func (a app) GrantTypes() []oidc.GrantType {
	g := []oidc.GrantType{oidc.GrantTypeCode}
	if a.AllowsScope(otpd.ScopeOfflineAccess) {
		g = append(g, oidc.GrantTypeRefreshToken)
	}
	return g
}

func (a app) LoginURL(id string) string                                    { return a.loginURL(id) }
func (a app) AccessTokenType() op.AccessTokenType                          { return op.AccessTokenTypeBearer }
func (a app) IDTokenLifetime() time.Duration                               { return a.idTokenLifetime }
func (a app) DevMode() bool                                                { return false }
func (a app) IsScopeAllowed(string) bool                                   { return false }
func (a app) ClockSkew() time.Duration                                     { return 0 }
func (a app) RestrictAdditionalIdTokenScopes() func([]string) []string     { return keepScopes }
func (a app) RestrictAdditionalAccessTokenScopes() func([]string) []string { return keepScopes }

// IDTokenUserinfoClaimsAssertion puts the email in the ID token even when
// an access token comes with it; otherwise the library leaves it out and
// every app would have to call userinfo for it.
func (a app) IDTokenUserinfoClaimsAssertion() bool { return true }

func keepScopes(s []string) []string { return s }
