package oidcop

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"slices"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/otpd/otpd"
)

// How long an authorization request waits for its person, and its code
// for the app: ten minutes covers a code fetched from the mailbox; a
// code is redeemed by the app at once, so a minute is plenty and a
// leaked one soon useless.
const (
	requestLife = 10 * time.Minute
	codeLife    = time.Minute
)

// storage is op.Storage over otpd's store and the apps of the
// configuration file. Every error it gives the library is an *oidc.Error
// of the kind the app should see; a plain error would become a 500.
type storage struct {
	store    otpd.OIDCStore
	apps     []otpd.App
	clock    otpd.Clock
	keys     *keyring
	life     Lifetimes
	loginURL func(id string) string
}

var (
	_ op.Storage                   = (*storage)(nil)
	_ op.CanSetUserinfoFromRequest = (*storage)(nil)
)

func (s *storage) now() time.Time { return s.clock.Now().UTC() }

// app finds an app: the configuration file's first, then the store's.
func (s *storage) app(ctx context.Context, id string) (otpd.App, error) {
	a, err := otpd.LookupApp(ctx, s.apps, s.store, id)
	if errors.Is(err, otpd.ErrNotFound) {
		return otpd.App{}, oidc.ErrInvalidClient().WithDescription("unknown client_id")
	}
	if err != nil {
		return otpd.App{}, oidc.ErrServerError().WithParent(err)
	}
	return a, nil
}

func (s *storage) GetClientByClientID(ctx context.Context, id string) (op.Client, error) {
	a, err := s.app(ctx, id)
	if err != nil {
		return nil, err
	}
	return app{App: a, idTokenLifetime: s.life.IDToken, loginURL: s.loginURL}, nil
}

// AuthorizeClientIDSecret compares SHA-256 hashes in constant time: the
// secret is 256 random bits, so a slow hash would only give whoever
// calls the token endpoint a lever on the server's CPU.
func (s *storage) AuthorizeClientIDSecret(ctx context.Context, id, secret string) error {
	a, err := s.app(ctx, id)
	if err != nil {
		return err
	}
	if a.Public || len(a.SecretHash) == 0 || subtle.ConstantTimeCompare(otpd.HashSecret(secret), a.SecretHash) != 1 {
		return oidc.ErrInvalidClient().WithDescription("client authentication failed")
	}
	return nil
}

// CreateAuthRequest keeps a request the library validated, after the
// checks it leaves to us: the redirect URI matches exactly, PKCE is S256
// (and required of public apps), the response goes in the query, and the
// scopes are cut to the app's.
func (s *storage) CreateAuthRequest(ctx context.Context, r *oidc.AuthRequest, hintSubject string) (op.AuthRequest, error) {
	a, err := s.app(ctx, r.ClientID)
	if err != nil {
		return nil, err
	}
	if err := checkAuthRequest(a, r); err != nil {
		return nil, err
	}
	now := s.now()
	req := otpd.AuthRequest{
		ID: newID(), ClientID: a.ID, RedirectURI: r.RedirectURI, State: r.State, Nonce: r.Nonce,
		Scopes: slices.DeleteFunc(slices.Clone([]string(r.Scopes)), func(sc string) bool { return !a.AllowsScope(sc) }),
		Prompt: r.Prompt, LoginHint: r.LoginHint, ACRValues: r.ACRValues, HintSubject: hintSubject,
		CodeChallenge: r.CodeChallenge, CreatedAt: now, ExpiresAt: now.Add(requestLife),
	}
	if r.MaxAge != nil {
		d := time.Duration(*r.MaxAge) * time.Second
		req.MaxAge = &d
	}
	if !slices.Contains(req.Scopes, otpd.ScopeOpenID) {
		return nil, oidc.ErrInvalidScope().WithDescription("scope must include openid")
	}
	if err := s.store.CreateAuthRequest(ctx, req); err != nil {
		return nil, oidc.ErrServerError().WithParent(err)
	}
	return &authRequest{AuthRequest: req}, nil
}

// checkAuthRequest refuses what the library lets through. A redirect URI
// that is not exactly registered is refused without redirecting to it;
// the rest go back to the app as invalid_request.
func checkAuthRequest(a otpd.App, r *oidc.AuthRequest) error {
	if !a.RedirectAllowed(r.RedirectURI) {
		return oidc.ErrInvalidRequestRedirectURI().WithDescription("redirect_uri is not registered for this client")
	}
	if r.ResponseMode != "" && r.ResponseMode != oidc.ResponseModeQuery {
		return oidc.ErrInvalidRequest().WithDescription("response_mode must be query")
	}
	if r.CodeChallenge != "" && r.CodeChallengeMethod != oidc.CodeChallengeMethodS256 {
		return oidc.ErrInvalidRequest().WithDescription("code_challenge_method must be S256")
	}
	if a.Public && r.CodeChallenge == "" {
		return oidc.ErrInvalidRequest().WithDescription("PKCE with code_challenge_method S256 is required")
	}
	return nil
}

// AuthRequestByID serves the callback that sends the code: only a request
// within its life, neither refused nor answered already, goes on.
func (s *storage) AuthRequestByID(ctx context.Context, id string) (op.AuthRequest, error) {
	req, err := s.store.AuthRequest(ctx, id)
	if errors.Is(err, otpd.ErrNotFound) {
		return nil, oidc.ErrInvalidRequest().WithDescription("unknown authorization request")
	}
	if err != nil {
		return nil, oidc.ErrServerError().WithParent(err)
	}
	if !req.DeniedAt.IsZero() || len(req.CodeHash) > 0 || !s.now().Before(req.ExpiresAt) {
		return nil, oidc.ErrInvalidRequest().WithDescription("this authorization request is no longer open")
	}
	return &authRequest{AuthRequest: req}, nil
}

func (s *storage) SaveAuthCode(ctx context.Context, id, code string) error {
	now := s.now()
	err := s.store.SaveAuthCode(ctx, id, hash(code), now.Add(codeLife), now)
	if errors.Is(err, otpd.ErrNotFound) {
		return oidc.ErrInvalidRequest().WithDescription("this authorization request is no longer open")
	}
	if err != nil {
		return oidc.ErrServerError().WithParent(err)
	}
	return nil
}

// AuthRequestByCode only reads, so that the library checks PKCE and the
// app before the code is spent: a wrong verifier does not burn it. A
// redeemed code goes on to RedeemCode, which recognises the replay and
// revokes what the code issued.
func (s *storage) AuthRequestByCode(ctx context.Context, code string) (op.AuthRequest, error) {
	h := hash(code)
	req, err := s.store.AuthRequestByCode(ctx, h)
	if errors.Is(err, otpd.ErrNotFound) {
		return nil, oidc.ErrInvalidGrant().WithDescription("unknown code")
	}
	if err != nil {
		return nil, oidc.ErrServerError().WithParent(err)
	}
	if req.RedeemedAt.IsZero() && !s.now().Before(req.CodeExpiresAt) {
		return nil, oidc.ErrInvalidGrant().WithDescription("the code has expired")
	}
	return &authRequest{AuthRequest: req, codeHash: h}, nil
}

// DeleteAuthRequest keeps the request: its redeemed code must be
// recognised if it comes back. Pruning removes it.
func (s *storage) DeleteAuthRequest(context.Context, string) error { return nil }

func (s *storage) CreateAccessToken(ctx context.Context, req op.TokenRequest) (string, time.Time, error) {
	a, ok := req.(*authRequest)
	if !ok {
		return "", time.Time{}, oidc.ErrUnsupportedGrantType()
	}
	issued, _, err := s.redeem(ctx, a, false)
	if err != nil {
		return "", time.Time{}, err
	}
	return issued.Access.ID, issued.Access.ExpiresAt, nil
}

func (s *storage) CreateAccessAndRefreshTokens(ctx context.Context, req op.TokenRequest, current string) (string, string, time.Time, error) {
	var (
		issued  otpd.Issued
		refresh string
		err     error
	)
	switch r := req.(type) {
	case *authRequest:
		issued, refresh, err = s.redeem(ctx, r, true)
	case *refreshRequest:
		issued, refresh, err = s.rotate(ctx, r, current)
	default:
		err = oidc.ErrUnsupportedGrantType()
	}
	if err != nil {
		return "", "", time.Time{}, err
	}
	return issued.Access.ID, refresh, issued.Access.ExpiresAt, nil
}

// redeem spends the code the request was found by and issues its tokens,
// in one store transaction: of concurrent redemptions, one wins.
func (s *storage) redeem(ctx context.Context, a *authRequest, offline bool) (otpd.Issued, string, error) {
	now := s.now()
	rr := otpd.RedeemRequest{
		CodeHash: a.codeHash, ClientID: a.ClientID, Now: now, FamilyID: newID(),
		Access: otpd.AccessToken{ID: newID(), ExpiresAt: now.Add(s.life.AccessToken)},
		Event:  s.event(ctx, a.ClientID),
	}
	var token string
	if offline {
		token = newSecret()
		rr.Refresh = &otpd.RefreshToken{ID: newID(), Hash: hash(token), ExpiresAt: now.Add(s.life.RefreshIdle)}
		rr.Until = now.Add(s.life.RefreshToken)
	}
	issued, err := s.store.RedeemCode(ctx, rr)
	if err != nil {
		return otpd.Issued{}, "", tokenError(err)
	}
	return issued, token, nil
}

// rotate spends a refresh token for its successor, in one store
// transaction that is also the one place reuse is judged.
func (s *storage) rotate(ctx context.Context, r *refreshRequest, current string) (otpd.Issued, string, error) {
	now := s.now()
	token := newSecret()
	issued, err := s.store.RotateRefreshToken(ctx, otpd.RotateRequest{
		Hash: hash(current), ClientID: r.token.ClientID, Now: now, Scopes: r.scopes,
		Next:   otpd.RefreshToken{ID: newID(), Hash: hash(token), ExpiresAt: now.Add(s.life.RefreshIdle)},
		Access: otpd.AccessToken{ID: newID(), ExpiresAt: now.Add(s.life.AccessToken)},
		Event:  s.event(ctx, r.token.ClientID),
	})
	if err != nil {
		return otpd.Issued{}, "", tokenError(err)
	}
	return issued, token, nil
}

// tokenError turns the store's refusals into invalid_grant, the one
// answer RFC 6749 gives for a code or refresh token that cannot be used.
func tokenError(err error) error {
	var desc string
	switch {
	case errors.Is(err, otpd.ErrCodeUsed):
		desc = "the code was used before or has expired"
	case errors.Is(err, otpd.ErrTokenReused):
		desc = "the refresh token was used before: every token of this sign-in is revoked"
	case errors.Is(err, otpd.ErrConsentRequired):
		desc = "access was removed"
	case errors.Is(err, otpd.ErrNotFound):
		desc = "the token is expired or revoked"
	default:
		return oidc.ErrServerError().WithParent(err)
	}
	return oidc.ErrInvalidGrant().WithDescription("%s", desc).WithParent(err)
}

// TokenRequestByRefreshToken refuses a token that cannot be used; a spent
// one goes on, so that rotation, in its transaction, judges the reuse.
func (s *storage) TokenRequestByRefreshToken(ctx context.Context, token string) (op.RefreshTokenRequest, error) {
	rt, err := s.store.RefreshToken(ctx, hash(token))
	if errors.Is(err, otpd.ErrNotFound) {
		return nil, oidc.ErrInvalidGrant().WithDescription("unknown refresh token")
	}
	if err != nil {
		return nil, oidc.ErrServerError().WithParent(err)
	}
	if !rt.RevokedAt.IsZero() || !s.now().Before(rt.ExpiresAt) {
		return nil, oidc.ErrInvalidGrant().WithDescription("the refresh token is expired or revoked")
	}
	return &refreshRequest{token: rt, scopes: rt.Scopes}, nil
}

// TerminateSession is never called: end session is otpd's own page.
func (s *storage) TerminateSession(context.Context, string, string) error {
	return oidc.ErrRequestNotSupported()
}

// RevokeToken answers success for a token unknown or of another app
// (RFC 7009 2.2): the app learns nothing about tokens not its own.
func (s *storage) RevokeToken(ctx context.Context, id, _, clientID string) *oidc.Error {
	err := s.store.RevokeToken(ctx, clientID, id, s.now())
	if err != nil && !errors.Is(err, otpd.ErrNotFound) {
		return oidc.ErrServerError().WithParent(err)
	}
	return nil
}

func (s *storage) GetRefreshTokenInfo(ctx context.Context, clientID, token string) (string, string, error) {
	rt, err := s.store.RefreshToken(ctx, hash(token))
	if errors.Is(err, otpd.ErrNotFound) || (err == nil && rt.ClientID != clientID) {
		return "", "", op.ErrInvalidRefreshToken
	}
	if err != nil {
		return "", "", err
	}
	return rt.AccountID, rt.ID, nil
}

func (s *storage) SigningKey(ctx context.Context) (op.SigningKey, error) {
	k, err := s.keys.current(ctx)
	if err != nil {
		return nil, oidc.ErrServerError().WithParent(err)
	}
	return k, nil
}

// SignatureAlgorithms lists the algorithms of every published key, so
// that a change of signing_alg leaves the old key's tokens verifiable.
func (s *storage) SignatureAlgorithms(ctx context.Context) ([]jose.SignatureAlgorithm, error) {
	keys, err := s.keys.published(ctx)
	if err != nil {
		return nil, oidc.ErrServerError().WithParent(err)
	}
	algs := []jose.SignatureAlgorithm{jose.SignatureAlgorithm(s.keys.alg)}
	for _, k := range keys {
		if !slices.Contains(algs, k.Algorithm()) {
			algs = append(algs, k.Algorithm())
		}
	}
	return algs, nil
}

func (s *storage) KeySet(ctx context.Context) ([]op.Key, error) {
	keys, err := s.keys.published(ctx)
	if err != nil {
		return nil, oidc.ErrServerError().WithParent(err)
	}
	return keys, nil
}

// SetUserinfoFromScopes is the library's older way, replaced by
// SetUserinfoFromRequest, which it calls instead.
func (s *storage) SetUserinfoFromScopes(context.Context, *oidc.UserInfo, string, string, []string) error {
	return nil
}

func (s *storage) SetUserinfoFromRequest(ctx context.Context, info *oidc.UserInfo, req op.IDTokenRequest, scopes []string) error {
	return s.userinfo(ctx, info, req.GetSubject(), scopes)
}

// SetUserinfoFromToken answers only for an access token that is active:
// unexpired and unrevoked, of a live family whose grant stands.
func (s *storage) SetUserinfoFromToken(ctx context.Context, info *oidc.UserInfo, tokenID, subject, _ string) error {
	at, err := s.store.AccessToken(ctx, tokenID, s.now())
	if errors.Is(err, otpd.ErrNotFound) || (err == nil && at.AccountID != subject) {
		return errInvalidToken()
	}
	if err != nil {
		return oidc.ErrServerError().WithParent(err)
	}
	return s.userinfo(ctx, info, subject, at.Scopes)
}

// userinfo fills the claims the scopes give: the subject always, the
// address (verified: otpd sent it a code) with email.
func (s *storage) userinfo(ctx context.Context, info *oidc.UserInfo, accountID string, scopes []string) error {
	info.Subject = accountID
	if !slices.Contains(scopes, otpd.ScopeEmail) {
		return nil
	}
	acct, err := s.store.AccountByID(ctx, accountID)
	if errors.Is(err, otpd.ErrNotFound) {
		return errInvalidToken()
	}
	if err != nil {
		return oidc.ErrServerError().WithParent(err)
	}
	info.Email = acct.Email.String()
	info.EmailVerified = true
	return nil
}

// SetIntrospectionFromToken describes only the asking app's own active
// tokens; any other is inactive.
func (s *storage) SetIntrospectionFromToken(ctx context.Context, resp *oidc.IntrospectionResponse, tokenID, subject, clientID string) error {
	at, err := s.store.AccessToken(ctx, tokenID, s.now())
	if errors.Is(err, otpd.ErrNotFound) || (err == nil && (at.AccountID != subject || at.ClientID != clientID)) {
		return errInvalidToken()
	}
	if err != nil {
		return oidc.ErrServerError().WithParent(err)
	}
	resp.Scope, resp.ClientID, resp.Subject, resp.TokenType = at.Scopes, at.ClientID, at.AccountID, oidc.BearerToken
	resp.Audience = []string{at.ClientID}
	resp.Expiration, resp.IssuedAt = oidc.FromTime(at.ExpiresAt), oidc.FromTime(at.CreatedAt)
	return nil
}

// Private claims, JWT profile grants and client keys are not offered.
func (s *storage) GetPrivateClaimsFromScopes(context.Context, string, string, []string) (map[string]any, error) {
	return nil, nil
}

func (s *storage) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, oidc.ErrUnauthorizedClient().WithDescription("JWT client authentication is not offered")
}

func (s *storage) ValidateJWTProfileScopes(context.Context, string, []string) ([]string, error) {
	return nil, oidc.ErrUnsupportedGrantType()
}

// Health serves the library's readiness route, which is not mounted: the
// server answers readiness itself.
func (s *storage) Health(context.Context) error { return nil }

// errInvalidToken is RFC 6750's answer to a token that is not active.
func errInvalidToken() *oidc.Error {
	return &oidc.Error{ErrorType: "invalid_token", Description: "the access token is not active"}
}

// hash is how codes and refresh tokens are kept: their SHA-256 only, so a
// copy of the database redeems nothing.
func hash(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// newSecret returns 256 random bits, base64url: refresh tokens.
func newSecret() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("oidcop: crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}
