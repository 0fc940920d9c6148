package signin

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/otpd/otpd"
)

// touchEvery bounds how often a session's last-seen time is written: the
// idle timeout is hours long, and a write per request would make every
// authenticated read a write.
const touchEvery = time.Minute

// tokenLen is the length of an encoded session token: 32 random bytes.
var tokenLen = base64.RawURLEncoding.EncodedLen(32)

// newToken returns a session token and the hash the store keeps. A plain
// SHA-256 suffices: the token has 256 bits of entropy, so there is nothing
// to brute-force that a slow hash would protect.
func newToken() (token string, hash []byte) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("signin: crypto/rand failed: %v", err))
	}
	token = base64.RawURLEncoding.EncodeToString(b[:])
	return token, hashToken(token)
}

func hashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

var errUnauthorized = otpd.Errorf(otpd.EUnauthorized, "sign in to continue")

// Authenticate returns the Caller a token belongs to, or an EUnauthorized
// error when it is unknown, ended, idle too long or past its absolute
// expiry. It is the one way to a Caller: a request calls it once and
// passes the Caller to every method that acts for the signed-in person.
func (e *Engine) Authenticate(ctx context.Context, token string) (Caller, error) {
	if len(token) != tokenLen {
		return Caller{}, errUnauthorized
	}
	s, err := e.store.SessionByTokenHash(ctx, hashToken(token))
	if errors.Is(err, otpd.ErrNotFound) {
		return Caller{}, errUnauthorized
	}
	if err != nil {
		return Caller{}, internal("authenticate", err)
	}
	now := e.now()
	if !s.ActiveAt(now, e.policy.SessionIdle) {
		return Caller{}, errUnauthorized
	}
	if now.Sub(s.LastSeenAt) >= touchEvery {
		if err := e.store.TouchSession(ctx, s.ID, now); err != nil {
			return Caller{}, internal("touch session", err)
		}
		s.LastSeenAt = now
	}
	acct, err := e.store.AccountByID(ctx, s.AccountID)
	if err != nil {
		return Caller{}, internal("session account", err)
	}
	// Disabling ends the account's sessions; this refuses one that a
	// sign-in racing the disabling started.
	if acct.Disabled() {
		return Caller{}, errUnauthorized
	}
	return Caller{session: s, account: acct}, nil
}

// SignOut ends the caller's session. Signing out twice is not an error.
// It only takes access away, so it needs no step-up.
func (e *Engine) SignOut(ctx context.Context, c Caller, r Requester) error {
	s, acct, err := signedIn(c)
	if err != nil {
		return err
	}
	ev := otpd.Event{ID: newID(), Type: otpd.EventSessionEnded, At: e.now(), AccountID: acct.ID,
		Email: acct.Email, IP: r.IP, UserAgent: r.UserAgent, Place: e.locate(r.IP).String()}
	if err := e.store.EndSession(ctx, s.ID, ev); err != nil && !errors.Is(err, otpd.ErrNotFound) {
		return internal("sign out", err)
	}
	return nil
}

// Activity returns the caller's account's most recent security events,
// newest first.
func (e *Engine) Activity(ctx context.Context, c Caller, limit int) ([]otpd.Event, error) {
	_, acct, err := signedIn(c)
	if err != nil {
		return nil, err
	}
	evs, err := e.store.Events(ctx, acct.ID, limit)
	if err != nil {
		return nil, internal("activity", err)
	}
	return evs, nil
}
