// Package admin administers accounts for the people who run otpd: list,
// show, disable, enable, delete, export, sign out and unlock, and the
// admin tokens of the admin API. The command line and the API call the
// same methods, each taking the Operator that acts; every change is
// recorded on the account, for its owner to see, and logged for the
// operator.
package admin

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/otpd/otpd"
)

// Options are a Service's collaborators. Store and Clock are required.
type Options struct {
	Store otpd.Store
	Clock otpd.Clock
	Log   *slog.Logger
	// Console makes the Service the command line's, which alone gives
	// the Operator that needs no token (Service.Console).
	Console bool
}

// Service administers accounts. It is safe for concurrent use; the
// Store makes each change atomic.
type Service struct {
	store   otpd.Store
	clock   otpd.Clock
	log     *slog.Logger
	console bool
}

// New returns a Service over o.
func New(o Options) *Service {
	s := &Service{store: o.Store, clock: o.Clock, log: o.Log, console: o.Console}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s
}

// DefaultLimit and MaxLimit bound a page of the account list.
const (
	DefaultLimit = 50
	MaxLimit     = 500
)

// maxRef bounds an account's name as given: an address is at most 254
// bytes, an ID far less.
const maxRef = 320

func (s *Service) now() time.Time { return s.clock.Now().UTC() }

// plausible reports whether v could name an account: valid UTF-8 without
// control characters. Anything else names none, and must not reach the
// store, which may not even compare it (PostgreSQL refuses a NUL).
func plausible(v string) bool {
	return utf8.ValidString(v) && !strings.ContainsFunc(v, unicode.IsControl)
}

// Find returns the account ref names: its ID, or its address in any
// spelling that has the same key. An unknown one is ENotFound, naming
// the field "account".
func (s *Service) Find(ctx context.Context, o Operator, ref string) (otpd.Account, error) {
	if err := may(o, otpd.ScopeAdminRead); err != nil {
		return otpd.Account{}, err
	}
	return s.find(ctx, ref)
}

func (s *Service) find(ctx context.Context, ref string) (otpd.Account, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return otpd.Account{}, otpd.FieldError("account", "name an account by its ID or address")
	}
	if len(ref) > maxRef || !plausible(ref) {
		return otpd.Account{}, otpd.FieldError("account", "an account ID or address is at most %d characters, none of them control characters", maxRef)
	}
	errUnknown := &otpd.Error{Code: otpd.ENotFound, Field: "account", Message: "no account has this ID or address"}
	var (
		acct otpd.Account
		err  error
	)
	if strings.Contains(ref, "@") {
		addr, perr := otpd.ParseAddress(ref)
		if perr != nil {
			return otpd.Account{}, otpd.FieldError("account", "%q is not an address otpd accepts", ref)
		}
		acct, err = s.store.AccountByEmail(ctx, addr)
	} else {
		acct, err = s.store.AccountByID(ctx, ref)
	}
	if errors.Is(err, otpd.ErrNotFound) {
		return otpd.Account{}, errUnknown
	}
	if err != nil {
		return otpd.Account{}, fmt.Errorf("admin: find account: %w", err)
	}
	return acct, nil
}

// List returns a page of accounts (see otpd.AccountQuery) and the After
// of the next page, "" when this is the last.
func (s *Service) List(ctx context.Context, o Operator, q otpd.AccountQuery) ([]otpd.Account, string, error) {
	if err := may(o, otpd.ScopeAdminRead); err != nil {
		return nil, "", err
	}
	if !q.State.Valid() {
		return nil, "", otpd.FieldError("state", "state is active or disabled, or empty for every account")
	}
	switch {
	case q.Limit == 0:
		q.Limit = DefaultLimit
	case q.Limit < 0 || q.Limit > MaxLimit:
		return nil, "", otpd.FieldError("limit", "limit is between 1 and %d", MaxLimit)
	}
	if len(q.After) > maxRef || !plausible(q.After) {
		return nil, "", otpd.FieldError("after", "after is an account ID")
	}
	want := q.Limit
	q.Limit++
	as, err := s.store.ListAccounts(ctx, q)
	if err != nil {
		return nil, "", fmt.Errorf("admin: list accounts: %w", err)
	}
	if len(as) <= want {
		return as, "", nil
	}
	return as[:want], as[want-1].ID, nil
}

// event is an event of what an operator did to acct, for its owner.
func (s *Service) event(acct otpd.Account, typ otpd.EventType) otpd.Event {
	return otpd.Event{ID: rand.Text(), Type: typ, At: s.now(), AccountID: acct.ID, Email: acct.Email}
}

// SetDisabled disables (on) or enables an account. Disabling ends its
// sessions and its apps' tokens, and no code signs it in; from then
// on, a code request for it is answered like any other while its owner
// gets a notice instead of a code, and its password is wrong whatever it
// is. It reports whether anything changed: disabling a disabled account
// does nothing and records nothing.
func (s *Service) SetDisabled(ctx context.Context, o Operator, ref string, on bool) (otpd.Account, bool, error) {
	if err := may(o, otpd.ScopeAdminWrite); err != nil {
		return otpd.Account{}, false, err
	}
	acct, err := s.find(ctx, ref)
	if err != nil {
		return otpd.Account{}, false, err
	}
	typ := otpd.EventAccountEnabled
	if on {
		typ = otpd.EventAccountDisabled
	}
	ev := s.event(acct, typ)
	acct, changed, err := s.store.SetDisabled(ctx, otpd.DisableRequest{AccountID: acct.ID, Disabled: on, Event: ev})
	if errors.Is(err, otpd.ErrNotFound) {
		return otpd.Account{}, false, &otpd.Error{Code: otpd.ENotFound, Field: "account", Message: "no account has this ID or address"}
	}
	if err != nil {
		return otpd.Account{}, false, fmt.Errorf("admin: disable account: %w", err)
	}
	if changed {
		s.log.Info("admin: "+string(typ), "account", acct.ID, "by", o.Name())
	}
	return acct, changed, nil
}

// Delete erases an account and everything personal kept about it (see
// otpd.AdminStore.DeleteAccount); what remains is counts of its events
// per type and day, and the operator's log line.
func (s *Service) Delete(ctx context.Context, o Operator, ref string) (otpd.Account, error) {
	if err := may(o, otpd.ScopeAdminWrite); err != nil {
		return otpd.Account{}, err
	}
	acct, err := s.find(ctx, ref)
	if err != nil {
		return otpd.Account{}, err
	}
	at := s.now()
	if err := s.store.DeleteAccount(ctx, acct.ID, at); errors.Is(err, otpd.ErrNotFound) {
		return otpd.Account{}, &otpd.Error{Code: otpd.ENotFound, Field: "account", Message: "no account has this ID or address"}
	} else if err != nil {
		return otpd.Account{}, fmt.Errorf("admin: delete account: %w", err)
	}
	// The log names the account by its ID only: its address is what
	// was erased.
	s.log.Info("admin: account deleted", "account", acct.ID, "by", o.Name())
	return acct, nil
}

// SignOut ends every session of an account, and says how many.
func (s *Service) SignOut(ctx context.Context, o Operator, ref string) (int, error) {
	if err := may(o, otpd.ScopeAdminWrite); err != nil {
		return 0, err
	}
	acct, err := s.find(ctx, ref)
	if err != nil {
		return 0, err
	}
	n, err := s.store.EndSessions(ctx, acct.ID, "", s.event(acct, otpd.EventAdminSignedOut))
	if err != nil {
		return 0, fmt.Errorf("admin: sign out: %w", err)
	}
	s.log.Info("admin: account signed out", "account", acct.ID, "sessions", n, "by", o.Name())
	return n, nil
}

// Unlock clears what holds an account's sign-ins back: the failures
// counted against its address in every context, the guard a report
// raised, and the campaign an attack started.
func (s *Service) Unlock(ctx context.Context, o Operator, ref string) (otpd.Account, error) {
	if err := may(o, otpd.ScopeAdminWrite); err != nil {
		return otpd.Account{}, err
	}
	acct, err := s.find(ctx, ref)
	if err != nil {
		return otpd.Account{}, err
	}
	if err := s.store.Unlock(ctx, acct.ID, s.event(acct, otpd.EventAccountUnlocked)); err != nil {
		return otpd.Account{}, fmt.Errorf("admin: unlock: %w", err)
	}
	s.log.Info("admin: account unlocked", "account", acct.ID, "by", o.Name())
	return s.find(ctx, acct.ID)
}
