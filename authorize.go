package otpd

import (
	"errors"
	"slices"
	"time"
)

// The authentication context classes otpd names in ID tokens (acr). An
// app asks for ACRFreshCode in acr_values when it wants a code read from
// the mailbox during this very request, not merely a signed-in session.
const (
	ACRSession   = "urn:otpd:acr:session"
	ACRFreshCode = "urn:otpd:acr:fresh-code"
)

// The prompt values of an authorization request (OpenID Connect Core
// 3.1.2.1).
const (
	PromptNone          = "none"
	PromptLogin         = "login"
	PromptConsent       = "consent"
	PromptSelectAccount = "select_account"
)

// AuthRequest is one app's request to sign a person in, from the moment
// the app sends the browser to otpd until its code is redeemed. It is
// pending until a person completes it (DoneAt) or refuses it (DeniedAt);
// a completed one gets a code, kept only as its SHA-256, which redeems
// once (RedeemedAt).
type AuthRequest struct {
	ID          string
	ClientID    string
	RedirectURI string
	State       string
	Nonce       string
	Scopes      []string
	Prompt      []string
	// MaxAge is the app's max_age; nil when it set none. prompt=login
	// arrives as a MaxAge of zero.
	MaxAge    *time.Duration
	LoginHint string
	ACRValues []string
	// HintSubject is the account an id_token_hint named: the app expects
	// that person.
	HintSubject string
	// CodeChallenge is the PKCE S256 challenge; no other method is kept.
	CodeChallenge string
	CreatedAt     time.Time
	ExpiresAt     time.Time

	// Set when a person completes the request.
	AccountID string
	SessionID string
	AuthTime  time.Time
	AMR       []string
	ACR       string
	DoneAt    time.Time
	DeniedAt  time.Time

	CodeHash      []byte
	CodeExpiresAt time.Time
	RedeemedAt    time.Time
}

// Done reports whether a person completed the request.
func (r AuthRequest) Done() bool { return !r.DoneAt.IsZero() }

// Pending reports whether the request still waits for a person at now.
func (r AuthRequest) Pending(now time.Time) bool {
	return r.DoneAt.IsZero() && r.DeniedAt.IsZero() && now.Before(r.ExpiresAt)
}

// HasPrompt reports whether the app sent prompt p.
func (r AuthRequest) HasPrompt(p string) bool { return slices.Contains(r.Prompt, p) }

// WantsFreshCode reports whether the app asked for ACRFreshCode.
func (r AuthRequest) WantsFreshCode() bool { return slices.Contains(r.ACRValues, ACRFreshCode) }

// Grant is a person's consent that an app may have the scopes it lists.
// While it stands, the app signs them in without asking again; removing
// it revokes every token the app holds for them.
type Grant struct {
	AccountID  string
	ClientID   string
	Scopes     []string
	GrantedAt  time.Time
	LastUsedAt time.Time
}

// Covers reports whether the grant includes every scope in scopes. A zero
// grant (none was found) covers nothing, not even an empty list, so that
// consent is asked before an app's first sign-in.
func (g Grant) Covers(scopes []string) bool {
	if g.ClientID == "" {
		return false
	}
	for _, s := range scopes {
		if !slices.Contains(g.Scopes, s) {
			return false
		}
	}
	return true
}

// AuthNext is what an authorization request needs next.
type AuthNext int

const (
	// AuthSignIn: nobody is signed in; show the sign-in page, which comes
	// back to the request.
	AuthSignIn AuthNext = iota + 1
	// AuthConfirm: the person must confirm it is them with a fresh code
	// (the session is too old for max_age or prompt=login, the app wants
	// a fresh code, or it named another account); the page also offers
	// to use another account.
	AuthConfirm
	// AuthConsent: ask whether the app may have the scopes.
	AuthConsent
	// AuthIssue: complete the request and send the code to the app.
	AuthIssue
	// AuthRefuse: prompt=none and a person would have to act; send
	// Refusal to the app.
	AuthRefuse
)

// AuthRefusal is an OpenID Connect error sent back to the app.
type AuthRefusal string

const (
	RefuseLoginRequired       AuthRefusal = "login_required"
	RefuseConsentRequired     AuthRefusal = "consent_required"
	RefuseInteractionRequired AuthRefusal = "interaction_required"
	RefuseAccessDenied        AuthRefusal = "access_denied"
)

// AuthStep is what NextAuthStep decided.
type AuthStep struct {
	Next AuthNext
	// Refusal is set with AuthRefuse.
	Refusal AuthRefusal
	// ACR is the class the ID token will name when the request completes
	// now.
	ACR string
}

// AuthState is what NextAuthStep reads besides the request: the caller's
// session, if any, and the app's grant for its account (zero if none).
type AuthState struct {
	SignedIn bool
	Session  Session
	Grant    Grant
	// FirstParty is the app's: no consent is asked for it unless the app
	// asks with prompt=consent.
	FirstParty bool
}

// NextAuthStep decides what an authorization request needs next, in the
// order a person meets them: sign in, confirm it is them, consent. Under
// prompt=none each need becomes its refusal, so that the app is answered
// at once and no page is shown.
//
// It cannot loop: freshness is measured from the request's creation (see
// Fresh), so a code entered on the confirm page satisfies max_age=0 and
// prompt=login for this request, and the next step follows.
func NextAuthStep(req AuthRequest, st AuthState) AuthStep {
	none := req.HasPrompt(PromptNone)
	need := func(next AuthNext, refusal AuthRefusal) AuthStep {
		if none {
			return AuthStep{Next: AuthRefuse, Refusal: refusal}
		}
		return AuthStep{Next: next}
	}
	if !st.SignedIn {
		return need(AuthSignIn, RefuseLoginRequired)
	}
	s := st.Session
	if req.HintSubject != "" && req.HintSubject != s.AccountID {
		return need(AuthConfirm, RefuseLoginRequired)
	}
	if !Fresh(req, AuthTime(s)) {
		return need(AuthConfirm, RefuseLoginRequired)
	}
	acr := ACRSession
	if req.WantsFreshCode() {
		if LastCodeAt(s).Before(req.CreatedAt) {
			return need(AuthConfirm, RefuseInteractionRequired)
		}
		acr = ACRFreshCode
	}
	if req.HasPrompt(PromptConsent) || (!st.FirstParty && !st.Grant.Covers(req.Scopes)) {
		step := need(AuthConsent, RefuseConsentRequired)
		if step.Next == AuthConsent {
			step.ACR = acr
		}
		return step
	}
	return AuthStep{Next: AuthIssue, ACR: acr}
}

// Fresh reports whether a sign-in at authTime is recent enough for req.
// Without max_age (or prompt=login or select_account, which ask the
// person to act now, and so act as max_age=0) any sign-in is. With it, the sign-in
// must be at most max_age older than the request: measured from the
// request's creation rather than from now, so that the code a person
// enters to satisfy max_age=0 counts however long they took, instead of
// sending them round again (the loop other providers fell into).
func Fresh(req AuthRequest, authTime time.Time) bool {
	maxAge := req.MaxAge
	if req.HasPrompt(PromptLogin) || req.HasPrompt(PromptSelectAccount) {
		zero := time.Duration(0)
		maxAge = &zero
	}
	if maxAge == nil {
		return true
	}
	return !authTime.Before(req.CreatedAt.Add(-*maxAge))
}

// AuthTime is when the person behind a session last proved it was them:
// its sign-in, or a later step-up code.
func AuthTime(s Session) time.Time {
	if s.SteppedUpAt.After(s.CreatedAt) {
		return s.SteppedUpAt
	}
	return s.CreatedAt
}

// LastCodeAt is when a code was last entered in a session: its sign-in
// when a code started it, or its step-up; zero when neither.
func LastCodeAt(s Session) time.Time {
	var at time.Time
	if s.FlowID != "" {
		at = s.CreatedAt
	}
	if s.SteppedUpAt.After(at) {
		at = s.SteppedUpAt
	}
	return at
}

// AMR lists how the person behind a session proved it was them (RFC 8176
// values): "pwd" for a password, "otp" for a code from the mailbox, and
// "mfa" when both. started is the challenge whose code started the
// session; zero when a password alone did (Session.FlowID is "").
func AMR(s Session, started Challenge) []string {
	pwd := s.FlowID == "" || started.AfterPassword
	otp := s.FlowID != "" || !s.SteppedUpAt.IsZero()
	var out []string
	if pwd {
		out = append(out, "pwd")
	}
	if otp {
		out = append(out, "otp")
	}
	if pwd && otp {
		out = append(out, "mfa")
	}
	return out
}

// TokenFamily is the tokens one redeemed code led to: its first access
// and refresh tokens and every refresh since. Reuse of a spent code or
// refresh token revokes the whole family, since one of its tokens has
// leaked.
type TokenFamily struct {
	ID            string
	AccountID     string
	ClientID      string
	SessionID     string
	AuthRequestID string
	Scopes        []string
	AuthTime      time.Time
	AMR           []string
	CreatedAt     time.Time
	// ExpiresAt is when nothing in the family works any more.
	ExpiresAt time.Time
	RevokedAt time.Time
}

// RefreshToken is one refresh token; only its SHA-256 is kept. It is
// spent (UsedAt) when exchanged for its successor.
type RefreshToken struct {
	ID        string
	Hash      []byte
	FamilyID  string
	AccountID string
	ClientID  string
	Scopes    []string
	AuthTime  time.Time
	AMR       []string
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    time.Time
	// RevokedAt is the family's revocation, when revoked.
	RevokedAt time.Time
}

// AccessToken is one access token. The bearer value is encrypted by the
// provider around ID; the store keeps ID, so that a token can be revoked
// and checked for its grant.
type AccessToken struct {
	ID        string
	FamilyID  string
	AccountID string
	ClientID  string
	Scopes    []string
	CreatedAt time.Time
	ExpiresAt time.Time
	RevokedAt time.Time
}

// Issued is what a redeemed code or a rotated refresh token gave: an
// access token and, when offline access was granted, a refresh token.
type Issued struct {
	Family  TokenFamily
	Access  AccessToken
	Refresh *RefreshToken
}

// ErrCodeUsed is returned when an authorization code is redeemed a second
// time (or after it expired): what it issued the first time is revoked.
var ErrCodeUsed = errors.New("authorization code already used or expired")

// ErrTokenReused is returned when a spent refresh token is presented
// again: its family is revoked.
var ErrTokenReused = errors.New("refresh token reused")

// ErrConsentRequired is returned when an authorization request would
// complete without consent and no grant covers its scopes (it was
// removed meanwhile).
var ErrConsentRequired = errors.New("consent required")

// ErrAppExists is returned when an app's ID is taken.
var ErrAppExists = errors.New("an app with this ID exists")

// EndSession is an app's validated request to sign its person out of
// otpd (OpenID Connect RP-Initiated Logout).
type EndSession struct {
	// AccountID is the subject of the app's id_token_hint; "" without
	// one. Only the session the hint was issued in may be ended without
	// asking.
	AccountID string
	// SignedInAt is the hint's auth_time: when the session it was issued
	// in began. A hint from an earlier session of the same account, which
	// may have been left in a log or a browser's history, names the
	// person but not this session.
	SignedInAt time.Time
	// ClientID is the app that asked; "" when it did not say.
	ClientID string
	// RedirectURI is where the person goes afterwards, the app's state
	// included: one of the app's post-logout URIs exactly, or "" when
	// none was asked for.
	RedirectURI string
}
