package oidcop

import (
	"log/slog"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/otpd/otpd"
)

// authRequest is a stored authorization request as the library reads
// it. codeHash is set when it was found by its code: the token call that
// follows redeems that code.
type authRequest struct {
	otpd.AuthRequest
	codeHash []byte
}

var (
	_ op.AuthRequest    = (*authRequest)(nil)
	_ op.LogAuthRequest = (*authRequest)(nil)
)

func (a *authRequest) GetID() string                      { return a.ID }
func (a *authRequest) GetACR() string                     { return a.ACR }
func (a *authRequest) GetAMR() []string                   { return a.AMR }
func (a *authRequest) GetAudience() []string              { return []string{a.ClientID} }
func (a *authRequest) GetAuthTime() time.Time             { return a.AuthTime }
func (a *authRequest) GetClientID() string                { return a.ClientID }
func (a *authRequest) GetNonce() string                   { return a.Nonce }
func (a *authRequest) GetRedirectURI() string             { return a.RedirectURI }
func (a *authRequest) GetScopes() []string                { return a.Scopes }
func (a *authRequest) GetState() string                   { return a.State }
func (a *authRequest) GetSubject() string                 { return a.AccountID }
func (a *authRequest) Done() bool                         { return a.AuthRequest.Done() }
func (a *authRequest) GetResponseType() oidc.ResponseType { return oidc.ResponseTypeCode }

// GetResponseMode is always the query: form_post is refused when the
// request is made (its page needs an inline script our CSP forbids), and
// fragment is for the implicit flow, which is not offered.
func (a *authRequest) GetResponseMode() oidc.ResponseMode { return oidc.ResponseModeQuery }

// GetCodeChallenge is the S256 challenge, the only method kept.
func (a *authRequest) GetCodeChallenge() *oidc.CodeChallenge {
	if a.CodeChallenge == "" {
		return nil
	}
	return &oidc.CodeChallenge{Challenge: a.CodeChallenge, Method: oidc.CodeChallengeMethodS256}
}

// LogValue names the request in the library's logs without its state,
// nonce or code.
func (a *authRequest) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", a.ID), slog.String("client_id", a.ClientID))
}

// refreshRequest is a refresh token presented to the token endpoint, with
// the scopes the app asks for now (the library narrows them).
type refreshRequest struct {
	token  otpd.RefreshToken
	scopes []string
}

var _ op.RefreshTokenRequest = (*refreshRequest)(nil)

func (r *refreshRequest) GetAMR() []string            { return r.token.AMR }
func (r *refreshRequest) GetAudience() []string       { return []string{r.token.ClientID} }
func (r *refreshRequest) GetAuthTime() time.Time      { return r.token.AuthTime }
func (r *refreshRequest) GetClientID() string         { return r.token.ClientID }
func (r *refreshRequest) GetScopes() []string         { return r.scopes }
func (r *refreshRequest) GetSubject() string          { return r.token.AccountID }
func (r *refreshRequest) SetCurrentScopes(s []string) { r.scopes = s }
