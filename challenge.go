package otpd

import "time"

// Purpose says what a code is for. A code works only for the flow, and so
// the purpose, that requested it.
type Purpose string

const (
	// PurposeSignIn signs an existing account in.
	PurposeSignIn Purpose = "sign_in"
	// PurposeSignUp creates the account when the code verifies.
	PurposeSignUp Purpose = "sign_up"
	// PurposeResetPassword lets the owner set a new password.
	PurposeResetPassword Purpose = "reset_password"
	// PurposeStepUp confirms a sensitive change to the account.
	PurposeStepUp Purpose = "step_up"
	// PurposeChangeEmail proves the owner reads the new primary address
	// they asked for; it is sent there.
	PurposeChangeEmail Purpose = "change_email"
	// PurposeAddRecovery proves the owner reads the recovery address they
	// are adding; it is sent there.
	PurposeAddRecovery Purpose = "add_recovery"
)

// Valid reports whether p is a known purpose.
func (p Purpose) Valid() bool {
	switch p {
	case PurposeSignIn, PurposeSignUp, PurposeResetPassword, PurposeStepUp, PurposeChangeEmail, PurposeAddRecovery:
		return true
	}
	return false
}

// ChallengeStatus is where a challenge is in its life.
type ChallengeStatus string

const (
	StatusPending    ChallengeStatus = "pending"
	StatusUsed       ChallengeStatus = "used"
	StatusExpired    ChallengeStatus = "expired"
	StatusExhausted  ChallengeStatus = "exhausted"
	StatusSuperseded ChallengeStatus = "superseded"
	StatusDenied     ChallengeStatus = "denied"
)

// Challenge is one code sent for one flow. The code itself is never kept:
// CodeMAC is an HMAC of it under a server secret, bound to the challenge ID
// (invariant 1). A resend makes a new challenge in the same flow and
// supersedes the one before it.
type Challenge struct {
	ID      string
	FlowID  string
	Purpose Purpose
	Email   Address
	// AccountID is empty for a sign-up challenge until its code verifies;
	// then it is the account the code made or signed in to.
	AccountID   string
	CodeMAC     []byte
	CreatedAt   time.Time
	ExpiresAt   time.Time
	Attempts    int
	MaxAttempts int
	Status      ChallengeStatus
	IP          string
	UserAgent   string
	// SessionID binds a step-up code to the session that asked for it: it
	// verifies nowhere else.
	SessionID string
	// AfterPassword marks a sign-in code sent after a right password, the
	// only kind that signs in an account with code-only sign-in off.
	AfterPassword bool
}

// AttemptsLeft is how many wrong codes the challenge still takes.
func (c Challenge) AttemptsLeft() int {
	return max(0, c.MaxAttempts-c.Attempts)
}

// SendLimits bound how many codes an address receives: caps per hour and
// per day, and the least time between a code and its resend.
type SendLimits struct {
	PerHour        int
	PerDay         int
	ResendCooldown time.Duration
}

// GuessLimits bound failures (wrong codes and wrong passwords) per account
// (by address) and per context, across all its flows: MaxWrong within any
// Window. A new code never resets this count, so opening many flows does
// not buy more guesses.
//
// After Free failures in a window, each further one locks the context out
// for Backoff, doubled with every failure (1, 2, 4, 8 minutes, ...), up to
// the window's end. A Backoff of zero means no such lockout.
type GuessLimits struct {
	MaxWrong int
	Window   time.Duration
	Free     int
	Backoff  time.Duration
}

// VerifyOutcome is what checking one submitted code decided.
type VerifyOutcome string

const (
	OutcomeVerified  VerifyOutcome = "verified"
	OutcomeWrong     VerifyOutcome = "wrong"
	OutcomeExpired   VerifyOutcome = "expired"
	OutcomeExhausted VerifyOutcome = "exhausted"
	// OutcomeLocked: the account's wrong-code budget is spent; the
	// submitted code was not evaluated.
	OutcomeLocked VerifyOutcome = "locked"
	// OutcomeClosed: the challenge is used, superseded or denied; the
	// submitted code was not evaluated.
	OutcomeClosed VerifyOutcome = "closed"
	// OutcomeMatched: the code is right, and VerifyRequest.CheckOnly
	// kept it pending; nothing was consumed or recorded.
	OutcomeMatched VerifyOutcome = "matched"
)

// EventType returns the security event a verify outcome is recorded as.
func (o VerifyOutcome) EventType() EventType {
	switch o {
	case OutcomeVerified:
		return EventCodeVerified
	case OutcomeWrong:
		return EventCodeWrong
	case OutcomeExpired:
		return EventCodeExpired
	case OutcomeExhausted:
		return EventCodeExhausted
	case OutcomeLocked:
		return EventCodeLocked
	default:
		return EventCodeRejected
	}
}

// Codes makes single-use codes and keeps them out of sight: a code is
// stored only as its MAC, and travels to the outbox only sealed.
// Implementations are safe for concurrent use.
type Codes interface {
	// New returns a fresh code of uniformly random digits.
	New() (string, error)
	// MAC binds a code to its challenge under a server secret, so that a
	// MAC copied to another challenge verifies nothing.
	MAC(challengeID, code string) []byte
	// Seal encrypts and authenticates a message payload for the outbox.
	Seal(plaintext []byte) ([]byte, error)
	// SealReport does the same for a forgery report kept for the
	// operator, bound to that use: neither opens as the other.
	SealReport(plaintext []byte) ([]byte, error)
	// DenyToken returns the token of a challenge's "This wasn't me" link.
	DenyToken(challengeID string) string
	// CheckDenyToken returns the challenge a deny token names, and false
	// when the token was not made by DenyToken under this secret.
	CheckDenyToken(token string) (challengeID string, ok bool)
	// DeviceToken returns the value of the cookie of a device that an
	// account remembers; it names the device for that account only.
	DeviceToken(accountID, deviceID string) string
	// CheckDeviceToken returns the device a cookie names for accountID,
	// and false when it was not made by DeviceToken under this secret
	// for that account.
	CheckDeviceToken(token, accountID string) (deviceID string, ok bool)
	// MessageRef returns the reference of the message with that
	// Message-ID ("K7QP-2MXD", see ParseMessageRef): a MAC of it, so
	// nobody without the secret can make the reference of a message.
	MessageRef(messageID string) string
}
