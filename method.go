package otpd

import (
	"context"
	"time"
)

// MethodKind names a way to prove it is you that an account adds beside
// its address's codes and its password.
type MethodKind string

const (
	// MethodTOTP is an authenticator app: a code from a secret shared
	// when it was added, new every 30 seconds.
	MethodTOTP MethodKind = "totp"
	// MethodRecoveryCodes is a set of single-use codes, kept by the owner
	// for when every other method is lost.
	MethodRecoveryCodes MethodKind = "recovery_codes"
)

// Valid reports whether k is a known kind.
func (k MethodKind) Valid() bool { return k == MethodTOTP || k == MethodRecoveryCodes }

// Method is one method an account added. An account has at most one of
// each kind; adding one replaces the one before.
type Method struct {
	ID         string
	AccountID  string
	Kind       MethodKind
	CreatedAt  time.Time
	LastUsedAt time.Time
	// Secret is an authenticator app's secret, sealed under the server
	// secret; it is never stored or returned in clear.
	Secret []byte
	// LastStep is the authenticator's time step last accepted: no code of
	// that step or an earlier one verifies again.
	LastStep int64
	// CodesLeft is how many of a recovery code set are unused.
	CodesLeft int
}

// MethodChange is everything AddMethod writes.
type MethodChange struct {
	Method Method
	// CodeMACs are a recovery code set's codes, each only as its MAC.
	CodeMACs [][]byte
	Event    Event
	// Notice, when set, is queued in the same transaction.
	Notice *OutboxMessage
}

// FactorRequest is one code of an added method, submitted as the second
// factor of a sign-in that a right password began, or for a step-up.
type FactorRequest struct {
	AccountID string
	Kind      MethodKind
	// Step is the authenticator's time step that the submitted code
	// matched, or 0 when it matched none; it verifies only past the
	// method's LastStep.
	Step int64
	// CodeMAC is a submitted recovery code's MAC.
	CodeMAC []byte
	Now     time.Time
	// Context and Guess select the guard the attempt counts against and
	// its limits: the same guard, and so the same budget, as the
	// address's codes and the password.
	Context SignInContext
	Guess   GuessLimits
	// ChallengeID names a sign-in's challenge, sent after a right
	// password, that the factor completes instead of its code: it is
	// consumed, and Session started, in the same transaction.
	ChallengeID string
	Session     Session
	// StepUpSession, for a step-up, is the session to mark.
	StepUpSession string
	// Event carries the requester's context for the events recorded.
	Event Event
	// SignedInFrom is recorded as the account's latest sign-in, as in
	// VerifyRequest.
	SignedInFrom *Place
	// Notice, when set, is queued when the factor verifies: the use of a
	// recovery code is told to the address.
	Notice *OutboxMessage
}

// MethodStore keeps the methods accounts added, and decides their codes.
type MethodStore interface {
	// Methods returns an account's methods, oldest first.
	Methods(ctx context.Context, accountID string) ([]Method, error)

	// AddMethod adds a method and records its event and notice, in one
	// transaction; a method of the same kind that the account had is
	// removed, a recovery code set with all its codes.
	AddMethod(ctx context.Context, c MethodChange) error

	// RemoveMethod removes an account's method of kind k, records ev and
	// queues notice, in one transaction; ErrNotFound when it has none.
	RemoveMethod(ctx context.Context, accountID string, k MethodKind, ev Event, notice *OutboxMessage) error

	// VerifyFactor decides a submitted factor in one transaction that
	// holds the address's lock, as VerifyCode does: a locked guard
	// evaluates nothing; a right code is consumed (an authenticator's step
	// moves forward, so the same step never verifies twice, on any number
	// of nodes; a recovery code is marked used) and applied (the sign-in's
	// challenge consumed and its session started, or the session stepped
	// up); a wrong one, a replayed one among them, counts against the
	// guard, and against the challenge's attempts for a sign-in. It
	// records one event for the outcome and one for what it did.
	VerifyFactor(ctx context.Context, req FactorRequest) (VerifyResult, error)
}

// FactorFits reports whether a factor may complete challenge c for the
// account accountID: only a sign-in code sent to that account after a
// right password, so that a factor is always the second one.
func FactorFits(c Challenge, accountID string) bool {
	return c.Purpose == PurposeSignIn && c.AfterPassword && c.AccountID != "" && c.AccountID == accountID
}

// FactorGuard is the guard a submitted factor counts against: the one the
// address's codes count against in the requester's context, so that a
// new method brings no fresh budget. For a sign-in that is the
// challenge's address; for a step-up, the account's.
func FactorGuard(acct Account, c Challenge, ctx SignInContext) GuardKey {
	email := acct.Email
	if c.ID != "" {
		email = c.Email
	}
	return VerifyGuard(Challenge{Email: email}, VerifyRequest{Context: ctx})
}

// FactorAttemptsLeft is what a wrong factor leaves: for a sign-in, what
// its challenge and the budget take (AttemptsLeft); for a step-up, the
// budget alone.
func FactorAttemptsLeft(c Challenge, wrong int, lim GuessLimits) int {
	if c.ID != "" {
		return AttemptsLeft(c, wrong, lim)
	}
	if lim.MaxWrong <= 0 {
		return 1
	}
	return max(0, lim.MaxWrong-wrong)
}

// Sealer seals the secrets a store keeps for methods (an authenticator's
// shared secret) under a key derived from the server secret, so that a
// copy of the database alone yields none of them. passcode.Sealer is one.
type Sealer interface {
	Seal(plaintext []byte) ([]byte, error)
	Open(sealed []byte) ([]byte, error)
}
