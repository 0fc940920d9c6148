package admin

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/otpd/otpd"
)

// Operator is who acts on accounts: the holder of an admin token, or the
// command line, which has the store itself. Only Service.Authenticate and
// Service.Console make one, so a method that takes an Operator knows who
// it is and what it may do. The zero Operator may do nothing.
type Operator struct {
	tokenID string
	name    string
	scope   otpd.AdminScope
}

// Name is how logs name the operator: the token's name and ID, or
// "command line".
func (o Operator) Name() string { return o.name }

// Scope is what the operator may do.
func (o Operator) Scope() otpd.AdminScope { return o.scope }

// TokenPrefix begins every admin token, so that one is told apart from a
// session token at a glance, in a log or a leak scanner, and so that
// neither can pass for the other: a session token has no prefix and a
// length an admin token never has, and each is looked up only among its
// own kind.
const TokenPrefix = "otpd_admin_"

// tokenLen is an admin token's length: the prefix and 32 random bytes.
var tokenLen = len(TokenPrefix) + base64.RawURLEncoding.EncodedLen(32)

var errUnauthorized = otpd.Errorf(otpd.EUnauthorized, "send an admin token as Authorization: Bearer TOKEN (otpd admin-tokens create makes one)")

// newToken makes an admin token and the SHA-256 the store keeps: the
// token has 256 bits of entropy, so a slow hash would protect nothing.
func newToken() (string, []byte) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("admin: crypto/rand failed: %v", err))
	}
	t := TokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	return t, hashToken(t)
}

func hashToken(t string) []byte {
	h := sha256.Sum256([]byte(t))
	return h[:]
}

// Authenticate returns the Operator an admin token names, or an
// EUnauthorized error when it is malformed, unknown or revoked. A
// session token is refused here before any lookup, as an admin token is
// by signin.Engine.Authenticate.
func (s *Service) Authenticate(ctx context.Context, token string) (Operator, error) {
	if len(token) != tokenLen || !strings.HasPrefix(token, TokenPrefix) {
		return Operator{}, errUnauthorized
	}
	hash := hashToken(token)
	t, err := s.store.AdminTokenByHash(ctx, hash)
	if errors.Is(err, otpd.ErrNotFound) {
		return Operator{}, errUnauthorized
	}
	if err != nil {
		return Operator{}, fmt.Errorf("admin: authenticate: %w", err)
	}
	if !t.RevokedAt.IsZero() || subtle.ConstantTimeCompare(t.Hash, hash) != 1 || !t.Scope.Valid() {
		return Operator{}, errUnauthorized
	}
	return Operator{tokenID: t.ID, name: fmt.Sprintf("token %s (%s)", t.ID, t.Name), scope: t.Scope}, nil
}

// Console returns the command line's Operator, which may do everything.
// Only a Service made for the command line (Options.Console) gives one:
// the server's refuses, so that nothing it serves can act without a
// token.
func (s *Service) Console() (Operator, error) {
	if !s.console {
		return Operator{}, errors.New("admin: this service is not the command line's")
	}
	return Operator{name: "command line", scope: otpd.ScopeAdminWrite}, nil
}

// may refuses an operator that cannot do what needs scope.
func may(o Operator, scope otpd.AdminScope) error {
	switch {
	case o.name == "" || !o.scope.Valid():
		return errUnauthorized
	case scope == otpd.ScopeAdminWrite && o.scope != otpd.ScopeAdminWrite:
		return otpd.Errorf(otpd.EForbidden, "this admin token may only read; changing an account needs a token of scope write")
	}
	return nil
}
