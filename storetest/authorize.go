package storetest

import (
	"errors"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/otpd/otpd"
)

// An authorization request is completed once, by a person who consented
// or whose grant covers it; its code redeems once; what a replayed code
// or refresh token issued is revoked (invariant 3, for apps).
var authorizeTests = []test{
	{"RoundTrip", testAuthRoundTrip},
	{"CompleteWithConsent", testAuthConsent},
	{"NoticeWithFirstGrant", testAuthNotice},
	{"NoticeRolledBack", testAuthNoticeRolledBack},
	{"CompleteOnlyPending", testAuthCompletePending},
	{"Deny", testAuthDeny},
	{"CodeSavedOnce", testAuthCodeOnce},
	{"Redeem", testAuthRedeem},
	{"ReplayRevokes", testAuthReplay},
	{"RedeemExpiredOrOtherApp", testAuthRedeemRefused},
}

var tokenTests = []test{
	{"Rotate", testTokenRotate},
	{"FamilyUntil", testTokenFamilyUntil},
	{"ReuseRevokesFamily", testTokenReuse},
	{"RefreshRefused", testTokenRefused},
	{"Revoke", testTokenRevoke},
	{"AccessTokenExpires", testAccessExpires},
}

var grantTests = []test{
	{"List", testGrantList},
	{"RemoveRevokesTokens", testGrantRemove},
	{"RemoveAppRevokesTokens", testGrantRemoveApp},
}

const (
	requestLife = 10 * time.Minute
	codeLife    = time.Minute
	accessLife  = 10 * time.Minute
	refreshLife = 30 * day
)

var appScopes = []string{"openid", "email", "offline_access"}

// newAuthRequest is a pending request of app made at at.
func newAuthRequest(clientID string, at time.Time, scopes ...string) otpd.AuthRequest {
	if scopes == nil {
		scopes = appScopes
	}
	return otpd.AuthRequest{
		ID: newID("authz"), ClientID: clientID, RedirectURI: "https://app.example/callback", State: "st", Nonce: "n0",
		Scopes: scopes, LoginHint: "ann@example.com", CodeChallenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
		CreatedAt: at, ExpiresAt: at.Add(requestLife),
	}
}

func createAuth(t *testing.T, s otpd.Store, r otpd.AuthRequest) otpd.AuthRequest {
	t.Helper()
	if err := s.CreateAuthRequest(t.Context(), r); err != nil {
		t.Fatalf("CreateAuthRequest: %v", err)
	}
	return r
}

func completion(r otpd.AuthRequest, sess otpd.Session, consent bool, at time.Time) otpd.CompleteRequest {
	return otpd.CompleteRequest{
		ID: r.ID, AccountID: sess.AccountID, SessionID: sess.ID, AuthTime: sess.CreatedAt, AMR: []string{"otp"},
		ACR: otpd.ACRSession, Consent: consent, Now: at,
		Event: otpd.Event{ID: newID("event"), At: at, IP: "192.0.2.5", UserAgent: "storetest", Concerns: "Example App"},
	}
}

func complete(t *testing.T, s otpd.Store, c otpd.CompleteRequest) otpd.AuthRequest {
	t.Helper()
	r, err := s.CompleteAuthRequest(t.Context(), c)
	if err != nil {
		t.Fatalf("CompleteAuthRequest: %v", err)
	}
	return r
}

// authorized is a request of a new app for a new account, completed with
// consent at at, whose code (hash) is saved; it returns the code hash.
func authorized(t *testing.T, s otpd.Store, email string, at time.Time) (otpd.Account, otpd.AuthRequest, []byte) {
	t.Helper()
	acct, sess := signUp(t, s, email, at)
	r := createAuth(t, s, newAuthRequest(newID("app"), at))
	r = complete(t, s, completion(r, sess, true, at))
	code := tokenHash("code of " + r.ID)
	if err := s.SaveAuthCode(t.Context(), r.ID, code, at.Add(codeLife), at); err != nil {
		t.Fatalf("SaveAuthCode: %v", err)
	}
	return acct, r, code
}

func redeemRequest(clientID string, code []byte, at time.Time, offline bool) otpd.RedeemRequest {
	rr := otpd.RedeemRequest{
		CodeHash: code, ClientID: clientID, Now: at, FamilyID: newID("family"),
		Access: otpd.AccessToken{ID: newID("access"), ExpiresAt: at.Add(accessLife)},
		Event:  otpd.Event{At: at, IP: "192.0.2.9", UserAgent: "storetest app", Concerns: "Example App"},
	}
	if offline {
		id := newID("refresh")
		rr.Refresh = &otpd.RefreshToken{ID: id, Hash: tokenHash(id), ExpiresAt: at.Add(refreshLife)}
	}
	return rr
}

func redeem(t *testing.T, s otpd.Store, rr otpd.RedeemRequest) otpd.Issued {
	t.Helper()
	iss, err := s.RedeemCode(t.Context(), rr)
	if err != nil {
		t.Fatalf("RedeemCode: %v", err)
	}
	return iss
}

func rotateRequest(clientID string, hash []byte, at time.Time) otpd.RotateRequest {
	id := newID("refresh")
	return otpd.RotateRequest{
		Hash: hash, ClientID: clientID, Now: at, Scopes: appScopes,
		Next:   otpd.RefreshToken{ID: id, Hash: tokenHash(id), ExpiresAt: at.Add(14 * day)},
		Access: otpd.AccessToken{ID: newID("access"), ExpiresAt: at.Add(accessLife)},
		Event:  otpd.Event{At: at, IP: "192.0.2.9", UserAgent: "storetest app", Concerns: "Example App"},
	}
}

func wantActive(t *testing.T, s otpd.Store, id string, now time.Time, active bool) {
	t.Helper()
	_, err := s.AccessToken(t.Context(), id, now)
	switch {
	case active && err != nil:
		t.Errorf("access token %s: %v, want active", id, err)
	case !active && !errors.Is(err, otpd.ErrNotFound):
		t.Errorf("access token %s: %v, want ErrNotFound", id, err)
	}
}

func testAuthRoundTrip(t *testing.T, s otpd.Store) {
	zero, hour := time.Duration(0), time.Hour
	for _, maxAge := range []*time.Duration{nil, &zero, &hour} {
		r := newAuthRequest("app", t0)
		r.Prompt, r.MaxAge, r.ACRValues, r.HintSubject = []string{"login", "consent"}, maxAge, []string{otpd.ACRFreshCode}, "acct-1"
		createAuth(t, s, r)
		got, err := s.AuthRequest(t.Context(), r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, r) {
			t.Errorf("request\n got %+v\nwant %+v", got, r)
		}
	}
	_, err := s.AuthRequest(t.Context(), "no-such-request")
	wantNotFound(t, err, "an unknown request")
}

// Consent makes the grant, records one event, and widens it later;
// without consent a grant must cover the scopes.
func testAuthConsent(t *testing.T, s otpd.Store) {
	acct, sess := signUp(t, s, "cora@example.com", t0)
	r := createAuth(t, s, newAuthRequest("app", t0, "openid"))
	if _, err := s.CompleteAuthRequest(t.Context(), completion(r, sess, false, t0)); !errors.Is(err, otpd.ErrConsentRequired) {
		t.Fatalf("completed without consent or grant: %v", err)
	}
	done := complete(t, s, completion(r, sess, true, t0))
	if !done.Done() || done.AccountID != acct.ID || done.SessionID != sess.ID || !slices.Equal(done.AMR, []string{"otp"}) {
		t.Errorf("completed request %+v", done)
	}
	if stored, _ := s.AuthRequest(t.Context(), r.ID); !reflect.DeepEqual(stored, done) {
		t.Errorf("stored\n %+v\nreturned\n %+v", stored, done)
	}
	g, err := s.Grant(t.Context(), acct.ID, "app")
	if err != nil || !slices.Equal(g.Scopes, []string{"openid"}) || !g.GrantedAt.Equal(t0) {
		t.Fatalf("grant %+v, %v", g, err)
	}
	// Covered: no consent needed, no event.
	r2 := createAuth(t, s, newAuthRequest("app", t0.Add(time.Minute), "openid"))
	complete(t, s, completion(r2, sess, false, t0.Add(time.Minute)))
	// Wider: consent needed, then widened.
	r3 := createAuth(t, s, newAuthRequest("app", t0.Add(2*time.Minute), "openid", "email"))
	if _, err := s.CompleteAuthRequest(t.Context(), completion(r3, sess, false, t0.Add(2*time.Minute))); !errors.Is(err, otpd.ErrConsentRequired) {
		t.Fatalf("completed a wider request without consent: %v", err)
	}
	complete(t, s, completion(r3, sess, true, t0.Add(2*time.Minute)))
	g, _ = s.Grant(t.Context(), acct.ID, "app")
	if !slices.Equal(g.Scopes, []string{"openid", "email"}) || !g.GrantedAt.Equal(t0) {
		t.Errorf("widened grant %+v", g)
	}
	// Consent again to what it has: nothing new to record.
	r4 := createAuth(t, s, newAuthRequest("app", t0.Add(3*time.Minute), "email"))
	complete(t, s, completion(r4, sess, true, t0.Add(3*time.Minute)))
	if n := countEvents(t, s, acct.ID, otpd.EventAppAuthorized); n != 2 {
		t.Errorf("%d app_authorized events, want 2 (first grant, widening)", n)
	}
}

// Only a pending request completes: not twice, not expired, not denied.
func testAuthCompletePending(t *testing.T, s otpd.Store) {
	_, sess := signUp(t, s, "dina@example.com", t0)
	r := createAuth(t, s, newAuthRequest("app", t0))
	complete(t, s, completion(r, sess, true, t0))
	_, err := s.CompleteAuthRequest(t.Context(), completion(r, sess, true, t0))
	wantNotFound(t, err, "completing twice")
	late := createAuth(t, s, newAuthRequest("app", t0))
	_, err = s.CompleteAuthRequest(t.Context(), completion(late, sess, true, t0.Add(requestLife)))
	wantNotFound(t, err, "completing an expired request")
	_, err = s.CompleteAuthRequest(t.Context(), completion(otpd.AuthRequest{ID: "no-such"}, sess, true, t0))
	wantNotFound(t, err, "completing an unknown request")
}

func testAuthDeny(t *testing.T, s otpd.Store) {
	_, sess := signUp(t, s, "ema@example.com", t0)
	r := createAuth(t, s, newAuthRequest("app", t0))
	if err := s.DenyAuthRequest(t.Context(), r.ID, t0.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	wantNotFound(t, s.DenyAuthRequest(t.Context(), r.ID, t0.Add(time.Second)), "denying twice")
	_, err := s.CompleteAuthRequest(t.Context(), completion(r, sess, true, t0.Add(2*time.Second)))
	wantNotFound(t, err, "completing a denied request")
	done := createAuth(t, s, newAuthRequest("app", t0))
	complete(t, s, completion(done, sess, true, t0))
	wantNotFound(t, s.DenyAuthRequest(t.Context(), done.ID, t0), "denying a completed request")
}

// A code is given once, and only to a completed request.
func testAuthCodeOnce(t *testing.T, s otpd.Store) {
	_, sess := signUp(t, s, "fay@example.com", t0)
	r := createAuth(t, s, newAuthRequest("app", t0))
	code := tokenHash("c1")
	wantNotFound(t, s.SaveAuthCode(t.Context(), r.ID, code, t0.Add(codeLife), t0), "a code for a pending request")
	complete(t, s, completion(r, sess, true, t0))
	if err := s.SaveAuthCode(t.Context(), r.ID, code, t0.Add(codeLife), t0); err != nil {
		t.Fatal(err)
	}
	wantNotFound(t, s.SaveAuthCode(t.Context(), r.ID, tokenHash("c2"), t0.Add(codeLife), t0), "a second code")
	got, err := s.AuthRequestByCode(t.Context(), code)
	if err != nil || got.ID != r.ID || !got.CodeExpiresAt.Equal(t0.Add(codeLife)) {
		t.Errorf("AuthRequestByCode = %+v, %v", got, err)
	}
	_, err = s.AuthRequestByCode(t.Context(), tokenHash("c2"))
	wantNotFound(t, err, "an unknown code")
}

func testAuthRedeem(t *testing.T, s otpd.Store) {
	acct, r, code := authorized(t, s, "gus@example.com", t0)
	at := t0.Add(10 * time.Second)
	iss := redeem(t, s, redeemRequest(r.ClientID, code, at, true))
	if iss.Family.AccountID != acct.ID || iss.Family.AuthRequestID != r.ID || iss.Access.AccountID != acct.ID ||
		iss.Refresh == nil || iss.Refresh.FamilyID != iss.Family.ID || !slices.Equal(iss.Access.Scopes, r.Scopes) {
		t.Errorf("issued %+v", iss)
	}
	got, _ := s.AuthRequestByCode(t.Context(), code)
	if !got.RedeemedAt.Equal(at) {
		t.Errorf("redeemed at %v, want %v", got.RedeemedAt, at)
	}
	wantActive(t, s, iss.Access.ID, at, true)
	rt, err := s.RefreshToken(t.Context(), iss.Refresh.Hash)
	if err != nil || rt.ID != iss.Refresh.ID || rt.AccountID != acct.ID || rt.ClientID != r.ClientID || !rt.UsedAt.IsZero() {
		t.Errorf("RefreshToken = %+v, %v", rt, err)
	}
	g, _ := s.Grant(t.Context(), acct.ID, r.ClientID)
	if !g.LastUsedAt.Equal(at) {
		t.Errorf("grant last used %v, want %v", g.LastUsedAt, at)
	}
	// Without offline access, no refresh token.
	_, r2, code2 := authorized(t, s, "gus2@example.com", t0)
	if iss := redeem(t, s, redeemRequest(r2.ClientID, code2, at, false)); iss.Refresh != nil {
		t.Error("a refresh token without offline access")
	}
}

// A code redeemed twice has leaked: the second redemption fails, and what
// the first issued is revoked, with one event.
func testAuthReplay(t *testing.T, s otpd.Store) {
	acct, r, code := authorized(t, s, "hal@example.com", t0)
	iss := redeem(t, s, redeemRequest(r.ClientID, code, t0, true))
	for range 2 {
		if _, err := s.RedeemCode(t.Context(), redeemRequest(r.ClientID, code, t0.Add(time.Second), true)); !errors.Is(err, otpd.ErrCodeUsed) {
			t.Fatalf("replay: %v, want ErrCodeUsed", err)
		}
	}
	wantActive(t, s, iss.Access.ID, t0.Add(time.Second), false)
	_, err := s.RotateRefreshToken(t.Context(), rotateRequest(r.ClientID, iss.Refresh.Hash, t0.Add(2*time.Second)))
	wantNotFound(t, err, "refreshing a revoked family")
	if n := countEvents(t, s, acct.ID, otpd.EventTokenReused); n != 1 {
		t.Errorf("%d token_reused events, want 1", n)
	}
	for _, ev := range events(t, s, acct.ID) {
		if ev.Type == otpd.EventTokenReused && (ev.Reason != otpd.ReasonCodeReplayed || ev.Concerns != "Example App") {
			t.Errorf("token_reused event %+v", ev)
		}
	}
}

// An expired code, or one presented by another app, issues nothing and
// revokes nothing; an unknown one is not found; the right app can still
// redeem a code another app presented.
func testAuthRedeemRefused(t *testing.T, s otpd.Store) {
	_, r, code := authorized(t, s, "ida@example.com", t0)
	if _, err := s.RedeemCode(t.Context(), redeemRequest("other-app", code, t0, true)); !errors.Is(err, otpd.ErrCodeUsed) {
		t.Errorf("another app's redemption: %v, want ErrCodeUsed", err)
	}
	if _, err := s.RedeemCode(t.Context(), redeemRequest(r.ClientID, code, t0.Add(codeLife), true)); !errors.Is(err, otpd.ErrCodeUsed) {
		t.Errorf("an expired code: %v, want ErrCodeUsed", err)
	}
	_, err := s.RedeemCode(t.Context(), redeemRequest(r.ClientID, tokenHash("nope"), t0, true))
	wantNotFound(t, err, "an unknown code")
	redeem(t, s, redeemRequest(r.ClientID, code, t0.Add(codeLife-time.Millisecond), true))
}

func testTokenRotate(t *testing.T, s otpd.Store) {
	_, r, code := authorized(t, s, "jo@example.com", t0)
	iss := redeem(t, s, redeemRequest(r.ClientID, code, t0, true))
	at := t0.Add(time.Hour)
	next, err := s.RotateRefreshToken(t.Context(), rotateRequest(r.ClientID, iss.Refresh.Hash, at))
	if err != nil {
		t.Fatal(err)
	}
	if next.Refresh == nil || next.Refresh.FamilyID != iss.Family.ID || next.Access.FamilyID != iss.Family.ID ||
		!next.Refresh.ExpiresAt.Equal(at.Add(14*day)) {
		t.Errorf("rotated %+v", next)
	}
	old, _ := s.RefreshToken(t.Context(), iss.Refresh.Hash)
	if !old.UsedAt.Equal(at) {
		t.Errorf("old token used at %v, want %v", old.UsedAt, at)
	}
	wantActive(t, s, next.Access.ID, at, true)
	// The successors rotate too, each within its idle life; none
	// outlives its family.
	last := next
	for _, at := range []time.Time{t0.Add(14 * day), t0.Add(27 * day)} {
		if last, err = s.RotateRefreshToken(t.Context(), rotateRequest(r.ClientID, last.Refresh.Hash, at)); err != nil {
			t.Fatalf("rotate at %v: %v", at, err)
		}
	}
	if !last.Refresh.ExpiresAt.Equal(t0.Add(refreshLife)) {
		t.Errorf("last token expires %v, want the family's end %v", last.Refresh.ExpiresAt, t0.Add(refreshLife))
	}
}

// A family may outlive its first refresh token (Until): the first waits
// only its idle life unused, and its successors each their own, up to
// the family's end.
func testTokenFamilyUntil(t *testing.T, s otpd.Store) {
	_, r, code := authorized(t, s, "ida@example.com", t0)
	rr := redeemRequest(r.ClientID, code, t0, true)
	rr.Refresh.ExpiresAt, rr.Until = t0.Add(14*day), t0.Add(refreshLife)
	iss := redeem(t, s, rr)
	if !iss.Refresh.ExpiresAt.Equal(t0.Add(14*day)) || !iss.Family.ExpiresAt.Equal(t0.Add(refreshLife)) {
		t.Fatalf("first token expires %v, family %v", iss.Refresh.ExpiresAt, iss.Family.ExpiresAt)
	}
	at := t0.Add(13 * day)
	next, err := s.RotateRefreshToken(t.Context(), rotateRequest(r.ClientID, iss.Refresh.Hash, at))
	if err != nil {
		t.Fatal(err)
	}
	// Without Until the family would end with the first token, at day 14.
	if want := at.Add(14 * day); !next.Refresh.ExpiresAt.Equal(want) {
		t.Errorf("successor expires %v, want %v", next.Refresh.ExpiresAt, want)
	}
}

// A spent refresh token presented again revokes its family: the thief's
// and the owner's tokens alike, with one event.
func testTokenReuse(t *testing.T, s otpd.Store) {
	acct, r, code := authorized(t, s, "kai@example.com", t0)
	iss := redeem(t, s, redeemRequest(r.ClientID, code, t0, true))
	next, err := s.RotateRefreshToken(t.Context(), rotateRequest(r.ClientID, iss.Refresh.Hash, t0.Add(time.Minute)))
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := s.RotateRefreshToken(t.Context(), rotateRequest(r.ClientID, iss.Refresh.Hash, t0.Add(2*time.Minute))); !errors.Is(err, otpd.ErrTokenReused) {
			t.Fatalf("reuse: %v, want ErrTokenReused", err)
		}
	}
	_, err = s.RotateRefreshToken(t.Context(), rotateRequest(r.ClientID, next.Refresh.Hash, t0.Add(3*time.Minute)))
	wantNotFound(t, err, "the newest token of a revoked family")
	wantActive(t, s, next.Access.ID, t0.Add(3*time.Minute), false)
	wantActive(t, s, iss.Access.ID, t0.Add(3*time.Minute), false)
	if rt, _ := s.RefreshToken(t.Context(), next.Refresh.Hash); rt.RevokedAt.IsZero() {
		t.Error("the family is not marked revoked")
	}
	if n := countEvents(t, s, acct.ID, otpd.EventTokenReused); n != 1 {
		t.Errorf("%d token_reused events, want 1", n)
	}
}

// Expired, unknown, another app's, or asking for more than granted:
// refused, and nothing is spent.
func testTokenRefused(t *testing.T, s otpd.Store) {
	_, r, code := authorized(t, s, "lu@example.com", t0)
	iss := redeem(t, s, redeemRequest(r.ClientID, code, t0, true))
	_, err := s.RotateRefreshToken(t.Context(), rotateRequest("other-app", iss.Refresh.Hash, t0))
	wantNotFound(t, err, "another app's refresh")
	_, err = s.RotateRefreshToken(t.Context(), rotateRequest(r.ClientID, tokenHash("nope"), t0))
	wantNotFound(t, err, "an unknown token")
	wide := rotateRequest(r.ClientID, iss.Refresh.Hash, t0)
	wide.Scopes = append(slices.Clone(appScopes), "profile")
	_, err = s.RotateRefreshToken(t.Context(), wide)
	wantNotFound(t, err, "a refresh asking for more than granted")
	_, err = s.RotateRefreshToken(t.Context(), rotateRequest(r.ClientID, iss.Refresh.Hash, t0.Add(refreshLife)))
	wantNotFound(t, err, "an expired token")
	if _, err := s.RotateRefreshToken(t.Context(), rotateRequest(r.ClientID, iss.Refresh.Hash, t0.Add(time.Hour))); err != nil {
		t.Errorf("the token was spent by a refused refresh: %v", err)
	}
}

// Revoking a refresh token revokes its family; an access token, itself;
// another app's, nothing.
func testTokenRevoke(t *testing.T, s otpd.Store) {
	_, r, code := authorized(t, s, "max@example.com", t0)
	iss := redeem(t, s, redeemRequest(r.ClientID, code, t0, true))
	wantNotFound(t, s.RevokeToken(t.Context(), "other-app", iss.Refresh.ID, t0), "another app revoking")
	wantNotFound(t, s.RevokeToken(t.Context(), "other-app", iss.Access.ID, t0), "another app revoking")
	wantActive(t, s, iss.Access.ID, t0, true)
	next, err := s.RotateRefreshToken(t.Context(), rotateRequest(r.ClientID, iss.Refresh.Hash, t0))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeToken(t.Context(), r.ClientID, iss.Access.ID, t0); err != nil {
		t.Fatal(err)
	}
	wantActive(t, s, iss.Access.ID, t0, false)
	wantActive(t, s, next.Access.ID, t0, true)
	if err := s.RevokeToken(t.Context(), r.ClientID, next.Refresh.ID, t0); err != nil {
		t.Fatal(err)
	}
	wantActive(t, s, next.Access.ID, t0, false)
	_, err = s.RotateRefreshToken(t.Context(), rotateRequest(r.ClientID, next.Refresh.Hash, t0))
	wantNotFound(t, err, "refreshing a revoked token")
	wantNotFound(t, s.RevokeToken(t.Context(), r.ClientID, "no-such-token", t0), "an unknown token")
}

func testAccessExpires(t *testing.T, s otpd.Store) {
	_, r, code := authorized(t, s, "ned@example.com", t0)
	iss := redeem(t, s, redeemRequest(r.ClientID, code, t0, false))
	wantActive(t, s, iss.Access.ID, t0.Add(accessLife-time.Millisecond), true)
	wantActive(t, s, iss.Access.ID, t0.Add(accessLife), false)
}

func testGrantList(t *testing.T, s otpd.Store) {
	acct, sess := signUp(t, s, "ola@example.com", t0)
	for i, app := range []string{"app-b", "app-a"} {
		at := t0.Add(time.Duration(i) * time.Minute)
		complete(t, s, completion(createAuth(t, s, newAuthRequest(app, at)), sess, true, at))
	}
	gs, err := s.Grants(t.Context(), acct.ID)
	if err != nil || len(gs) != 2 || gs[0].ClientID != "app-b" || gs[1].ClientID != "app-a" {
		t.Errorf("Grants = %+v, %v; want app-b then app-a", gs, err)
	}
	other, _ := signUp(t, s, "pia@example.com", t0)
	if gs, _ := s.Grants(t.Context(), other.ID); len(gs) != 0 {
		t.Errorf("another account has grants %+v", gs)
	}
	_, err = s.Grant(t.Context(), other.ID, "app-a")
	wantNotFound(t, err, "another account's grant")
}

// Removing a grant revokes every token the app holds for that account,
// and no other account's (invariant 9); a code completed before but not
// yet redeemed issues nothing.
func testGrantRemove(t *testing.T, s otpd.Store) {
	acct, r, code := authorized(t, s, "quin@example.com", t0)
	iss := redeem(t, s, redeemRequest(r.ClientID, code, t0, true))
	other, otherSess := signUp(t, s, "rae@example.com", t0)
	or := createAuth(t, s, newAuthRequest(r.ClientID, t0))
	complete(t, s, completion(or, otherSess, true, t0))
	ocode := tokenHash("other code")
	if err := s.SaveAuthCode(t.Context(), or.ID, ocode, t0.Add(codeLife), t0); err != nil {
		t.Fatal(err)
	}
	oiss := redeem(t, s, redeemRequest(r.ClientID, ocode, t0, true))
	// A second code of acct, completed but not redeemed.
	_, sess := signUp(t, s, "quin2@example.com", t0) // any session will do for the store
	pending := createAuth(t, s, newAuthRequest(r.ClientID, t0))
	c := completion(pending, sess, false, t0)
	c.AccountID = acct.ID
	complete(t, s, c)
	pcode := tokenHash("pending code")
	if err := s.SaveAuthCode(t.Context(), pending.ID, pcode, t0.Add(codeLife), t0); err != nil {
		t.Fatal(err)
	}

	ev := otpd.Event{ID: newID("event"), At: t0.Add(time.Second), IP: "192.0.2.1", UserAgent: "storetest", Concerns: "Example App"}
	if err := s.RevokeGrant(t.Context(), acct.ID, r.ClientID, ev); err != nil {
		t.Fatal(err)
	}
	wantActive(t, s, iss.Access.ID, t0.Add(time.Second), false)
	_, err := s.RotateRefreshToken(t.Context(), rotateRequest(r.ClientID, iss.Refresh.Hash, t0.Add(time.Second)))
	wantNotFound(t, err, "refreshing after removal")
	if _, err := s.RedeemCode(t.Context(), redeemRequest(r.ClientID, pcode, t0.Add(time.Second), true)); !errors.Is(err, otpd.ErrConsentRequired) {
		t.Errorf("a code completed before removal: %v, want ErrConsentRequired", err)
	}
	if got := findEvent(t, s, acct.ID, ev.ID); got.Type != otpd.EventAppRemoved {
		t.Errorf("event %+v, want app_removed", got)
	}
	wantNotFound(t, s.RevokeGrant(t.Context(), acct.ID, r.ClientID, ev), "removing again")
	// The other account's tokens stand.
	wantActive(t, s, oiss.Access.ID, t0.Add(time.Second), true)
	if _, err := s.RotateRefreshToken(t.Context(), rotateRequest(r.ClientID, oiss.Refresh.Hash, t0.Add(time.Second))); err != nil {
		t.Errorf("another account's refresh: %v", err)
	}
	if countEvents(t, s, other.ID, otpd.EventAppRemoved) != 0 {
		t.Error("the other account got the event")
	}
}

// Removing an app revokes what it holds for everyone.
func testGrantRemoveApp(t *testing.T, s otpd.Store) {
	app := newApp(false)
	saveApp(t, s, app)
	var issued []otpd.Issued
	for _, email := range []string{"sol@example.com", "tam@example.com"} {
		_, sess := signUp(t, s, email, t0)
		r := createAuth(t, s, newAuthRequest(app.ID, t0))
		complete(t, s, completion(r, sess, true, t0))
		code := tokenHash("code " + r.ID)
		if err := s.SaveAuthCode(t.Context(), r.ID, code, t0.Add(codeLife), t0); err != nil {
			t.Fatal(err)
		}
		issued = append(issued, redeem(t, s, redeemRequest(app.ID, code, t0, true)))
	}
	if err := s.RemoveApp(t.Context(), app.ID, t0.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	for _, iss := range issued {
		wantActive(t, s, iss.Access.ID, t0.Add(time.Second), false)
		_, err := s.RotateRefreshToken(t.Context(), rotateRequest(app.ID, iss.Refresh.Hash, t0.Add(time.Second)))
		wantNotFound(t, err, "refreshing after the app's removal")
	}
}

// raceErrs runs f(i) for i in [0, n) at once and returns the errors.
func raceErrs(n int, f func(i int) error) []error {
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = f(i)
		})
	}
	close(start)
	wg.Wait()
	return errs
}

// Twenty redemptions of one code at once: one gets tokens, the others
// ErrCodeUsed, and since a code came back, what it issued is revoked,
// with one event.
func testConcurrentCodeRedeem(t *testing.T, s otpd.Store) {
	acct, r, code := authorized(t, s, "uma@example.com", t0)
	const n = 20
	issued := make([]otpd.Issued, n)
	errs := raceErrs(n, func(i int) error {
		var err error
		issued[i], err = s.RedeemCode(t.Context(), redeemRequest(r.ClientID, code, t0.Add(time.Second), true))
		return err
	})
	won := -1
	for i, err := range errs {
		switch {
		case err == nil && won >= 0:
			t.Fatalf("two redemptions won: %d and %d", won, i)
		case err == nil:
			won = i
		case !errors.Is(err, otpd.ErrCodeUsed):
			t.Errorf("redemption %d: %v, want ErrCodeUsed", i, err)
		}
	}
	if won < 0 {
		t.Fatal("no redemption won")
	}
	wantActive(t, s, issued[won].Access.ID, t0.Add(time.Second), false)
	if n := countEvents(t, s, acct.ID, otpd.EventTokenReused); n != 1 {
		t.Errorf("%d token_reused events, want 1", n)
	}
}

// Twenty rotations of one refresh token at once: one succeeds, the others
// are reuse, and the family is revoked with one event.
func testConcurrentRefresh(t *testing.T, s otpd.Store) {
	acct, r, code := authorized(t, s, "vi@example.com", t0)
	iss := redeem(t, s, redeemRequest(r.ClientID, code, t0, true))
	const n = 20
	issued := make([]otpd.Issued, n)
	errs := raceErrs(n, func(i int) error {
		var err error
		issued[i], err = s.RotateRefreshToken(t.Context(), rotateRequest(r.ClientID, iss.Refresh.Hash, t0.Add(time.Minute)))
		return err
	})
	won := -1
	for i, err := range errs {
		switch {
		case err == nil && won >= 0:
			t.Fatalf("two rotations won: %d and %d", won, i)
		case err == nil:
			won = i
		case !errors.Is(err, otpd.ErrTokenReused):
			t.Errorf("rotation %d: %v, want ErrTokenReused", i, err)
		}
	}
	if won < 0 {
		t.Fatal("no rotation won")
	}
	_, err := s.RotateRefreshToken(t.Context(), rotateRequest(r.ClientID, issued[won].Refresh.Hash, t0.Add(2*time.Minute)))
	wantNotFound(t, err, "the winner's token after the reuse")
	if n := countEvents(t, s, acct.ID, otpd.EventTokenReused); n != 1 {
		t.Errorf("%d token_reused events, want 1", n)
	}
}

// Expired requests, tokens, families and keys go; live ones stay.
func testPruneOIDC(t *testing.T, s otpd.Store) {
	_, r, code := authorized(t, s, "wyn@example.com", t0)
	iss := redeem(t, s, redeemRequest(r.ClientID, code, t0, true))
	pending := createAuth(t, s, newAuthRequest("app", t0.Add(40*day)))
	old := newKey(t0)
	ensureKey(t, s, old, t0)
	next := newKey(t0.Add(30 * day))
	if ok, err := s.RotateSigningKey(t.Context(), next, t0.Add(30*day), 30*day, time.Hour); err != nil || !ok {
		t.Fatalf("RotateSigningKey: %v, %v", ok, err)
	}

	ages := otpd.PruneRequest{Challenges: day, Sessions: day}
	// The day after the access token expired: it goes, the refresh
	// token (30 days) stays, with its family.
	ages.Now = t0.Add(accessLife + day + time.Millisecond)
	res := prune(t, s, ages)
	if res.Tokens != 1 || res.AuthRequests != 1 || res.SigningKeys != 0 {
		t.Errorf("first prune %+v, want 1 token, 1 request", res)
	}
	if _, err := s.RefreshToken(t.Context(), iss.Refresh.Hash); err != nil {
		t.Errorf("a live refresh token went: %v", err)
	}
	// After the family's end: its refresh token and itself; the old key.
	ages.Now = t0.Add(refreshLife + 2*day)
	res = prune(t, s, ages)
	if res.Tokens != 2 || res.SigningKeys != 1 || res.AuthRequests != 0 {
		t.Errorf("second prune %+v, want 2 tokens, 1 key", res)
	}
	_, err := s.RefreshToken(t.Context(), iss.Refresh.Hash)
	wantNotFound(t, err, "a pruned refresh token")
	if _, err := s.AuthRequest(t.Context(), pending.ID); err != nil {
		t.Errorf("a live request went: %v", err)
	}
	if keys, _ := s.SigningKeys(t.Context(), ages.Now); len(keys) != 1 || keys[0].ID != next.ID {
		t.Errorf("keys %q, want the new one", keyIDs(keys))
	}
}

// appNotice is the notice of an app's first access, made out to to.
func appNotice(to otpd.Address, at time.Time) *otpd.OutboxMessage {
	id := newID("notice")
	return &otpd.OutboxMessage{
		ID: id, MessageID: "<" + id + "@otpd.test>", Kind: otpd.MessageAppAuthorized, To: to,
		Payload: []byte("sealed " + id), CreatedAt: at, NotAfter: at.Add(24 * time.Hour), NextAttempt: at,
		State: otpd.MessageQueued,
	}
}

// withNotice is c carrying a notice made out to to.
func withNotice(c otpd.CompleteRequest, to otpd.Address) otpd.CompleteRequest {
	c.Notice = appNotice(to, c.Now)
	return c
}

// The notice of an app's access is queued with the first grant, in its
// transaction, to the address the account keeps; a consent that widens or
// repeats the grant queues none, nor does a completion without consent.
// After the grant is removed, the next one is new again.
func testAuthNotice(t *testing.T, s otpd.Store) {
	acct, sess := signUp(t, s, "hedy@example.com", t0)
	drain(t, s, t0)
	r := createAuth(t, s, newAuthRequest("app", t0, "openid"))
	// Made out to another address: the store sends it to the account's.
	first := withNotice(completion(r, sess, true, t0), otpd.MustParseAddress("eve@example.com"))
	complete(t, s, first)
	got, ok := queued(t, s, t0, first.Notice.ID)
	if !ok {
		t.Fatalf("notice of the first grant not queued")
	}
	if got.To != acct.Email || got.Kind != otpd.MessageAppAuthorized || got.ChallengeID != "" ||
		got.MessageID != first.Notice.MessageID || string(got.Payload) != string(first.Notice.Payload) {
		t.Errorf("queued notice %+v, want %+v to %s", got, *first.Notice, acct.Email)
	}
	at := t0.Add(time.Minute)
	for _, c := range []otpd.CompleteRequest{
		// Widened: an event, no notice.
		withNotice(completion(createAuth(t, s, newAuthRequest("app", at, "openid", "email")), sess, true, at), acct.Email),
		// Repeated: neither.
		withNotice(completion(createAuth(t, s, newAuthRequest("app", at, "openid")), sess, true, at), acct.Email),
		// Covered, without consent: neither.
		withNotice(completion(createAuth(t, s, newAuthRequest("app", at, "email")), sess, false, at), acct.Email),
	} {
		complete(t, s, c)
		if m, ok := queued(t, s, at, c.Notice.ID); ok {
			t.Errorf("a second consent to the same app queued %+v", m)
		}
	}
	for _, m := range drain(t, s, at) {
		if m.ID != first.Notice.ID {
			t.Errorf("a later consent queued %+v", m)
		}
	}
	if n := countEvents(t, s, acct.ID, otpd.EventAppAuthorized); n != 2 {
		t.Errorf("%d app_authorized events, want 2 (first grant, widening)", n)
	}
	// Removed, then granted again: access is new again, and so told.
	if err := s.RevokeGrant(t.Context(), acct.ID, "app", otpd.Event{ID: newID("event"), At: at}); err != nil {
		t.Fatal(err)
	}
	again := withNotice(completion(createAuth(t, s, newAuthRequest("app", at, "openid")), sess, true, at), acct.Email)
	complete(t, s, again)
	if _, ok := queued(t, s, at, again.Notice.ID); !ok {
		t.Errorf("notice of a grant made again after removal not queued")
	}
}

// A completion that fails takes its notice with it: the grant, the
// event, the notice and the request's completion are one transaction.
// The failure here is the notice's own insert (its ID is taken), the
// last write before the request is marked done.
func testAuthNoticeRolledBack(t *testing.T, s otpd.Store) {
	other, otherSess := signUp(t, s, "ida@example.com", t0)
	acct, sess := signUp(t, s, "jon@example.com", t0)
	drain(t, s, t0)
	taken := withNotice(completion(createAuth(t, s, newAuthRequest("other-app", t0)), otherSess, true, t0), other.Email)
	complete(t, s, taken)
	r := createAuth(t, s, newAuthRequest("app", t0))
	c := completion(r, sess, true, t0)
	c.Notice = appNotice(acct.Email, t0)
	c.Notice.ID = taken.Notice.ID
	if _, err := s.CompleteAuthRequest(t.Context(), c); err == nil {
		t.Fatal("completed with a notice whose ID is taken")
	}
	if g, err := s.Grant(t.Context(), acct.ID, "app"); !errors.Is(err, otpd.ErrNotFound) {
		t.Errorf("grant %+v, %v left by a failed completion, want ErrNotFound", g, err)
	}
	if n := countEvents(t, s, acct.ID, otpd.EventAppAuthorized); n != 0 {
		t.Errorf("%d app_authorized events left by a failed completion", n)
	}
	if got, _ := s.AuthRequest(t.Context(), r.ID); !got.Pending(t0) {
		t.Errorf("request %+v no longer pending after a failed completion", got)
	}
	for _, m := range drain(t, s, t0) {
		if m.To == acct.Email || m.ID != taken.Notice.ID {
			t.Errorf("a failed completion queued %+v", m)
		}
	}
	// Once the failure is mended the completion goes through, notice and all.
	c.Notice = appNotice(acct.Email, t0)
	complete(t, s, c)
	if _, ok := queued(t, s, t0.Add(time.Hour), c.Notice.ID); !ok {
		t.Errorf("notice not queued once the completion succeeded")
	}
}

// drain claims every message due at now, so that later claims see only
// what comes after.
func drain(t *testing.T, s otpd.Store, now time.Time) []otpd.OutboxMessage {
	t.Helper()
	msgs, err := s.ClaimMessages(t.Context(), now, time.Hour, 1000)
	if err != nil {
		t.Fatalf("ClaimMessages: %v", err)
	}
	return msgs
}
