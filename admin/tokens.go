package admin

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/otpd/otpd"
)

// maxTokenName bounds a token's name, which only logs and lists show.
const maxTokenName = 100

// CreateToken makes an admin token of scope, named name, and returns it:
// the one time it is shown, for the store keeps only its SHA-256. Only the
// command line makes tokens, so that a leaked token cannot make more.
func (s *Service) CreateToken(ctx context.Context, o Operator, name string, scope otpd.AdminScope) (string, otpd.AdminToken, error) {
	if err := s.consoleOnly(o); err != nil {
		return "", otpd.AdminToken{}, err
	}
	if !scope.Valid() {
		return "", otpd.AdminToken{}, otpd.FieldError("scope", "scope is read or write, not %q", scope)
	}
	name = strings.TrimSpace(name)
	if len(name) > maxTokenName || strings.ContainsFunc(name, unicode.IsControl) {
		return "", otpd.AdminToken{}, otpd.FieldError("name", "a name is at most %d characters, none of them control characters", maxTokenName)
	}
	token, hash := newToken()
	t := otpd.AdminToken{ID: strings.ToLower(rand.Text()[:10]), Name: name, Scope: scope, Hash: hash, CreatedAt: s.now()}
	if err := s.store.SaveAdminToken(ctx, t); err != nil {
		return "", otpd.AdminToken{}, fmt.Errorf("admin: create token: %w", err)
	}
	s.log.Info("admin: token created", "token", t.ID, "name", t.Name, "scope", t.Scope, "by", o.Name())
	return token, t, nil
}

// Tokens lists the admin tokens, revoked ones included.
func (s *Service) Tokens(ctx context.Context, o Operator) ([]otpd.AdminToken, error) {
	if err := s.consoleOnly(o); err != nil {
		return nil, err
	}
	ts, err := s.store.AdminTokens(ctx)
	if err != nil {
		return nil, fmt.Errorf("admin: tokens: %w", err)
	}
	return ts, nil
}

// RevokeToken revokes an admin token: it stops working at once.
func (s *Service) RevokeToken(ctx context.Context, o Operator, id string) error {
	if err := s.consoleOnly(o); err != nil {
		return err
	}
	err := s.store.RevokeAdminToken(ctx, id, s.now())
	if errors.Is(err, otpd.ErrNotFound) {
		return &otpd.Error{Code: otpd.ENotFound, Field: "id", Message: "no admin token that still works has this ID"}
	}
	if err != nil {
		return fmt.Errorf("admin: revoke token: %w", err)
	}
	s.log.Info("admin: token revoked", "token", id, "by", o.Name())
	return nil
}

func (s *Service) consoleOnly(o Operator) error {
	if err := may(o, otpd.ScopeAdminWrite); err != nil {
		return err
	}
	if o.tokenID != "" {
		return otpd.Errorf(otpd.EForbidden, "admin tokens are managed on the command line: otpd admin-tokens")
	}
	return nil
}
