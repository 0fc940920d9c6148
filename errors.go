// Package otpd holds the domain of a sign-in server built around single-use
// codes: accounts, addresses, challenges, sessions, security events, the
// outbox, and the interfaces that adapters implement. It imports no adapter.
package otpd

import (
	"errors"
	"fmt"
	"time"
)

// Error codes a client can rely on. They appear in the JSON API as
// {"error": {"code": ...}} and map to HTTP statuses in package web.
const (
	EInvalid         = "invalid_request"
	EInvalidCode     = "invalid_code"
	ECodeExpired     = "code_expired"
	ETooManyAttempts = "too_many_attempts"
	ERateLimited     = "rate_limited"
	EUnauthorized    = "unauthorized"
	ENotFound        = "not_found"
	// EInvalidCredentials: the address and password do not match. It says
	// no more, so that it reveals neither which was wrong nor whether the
	// address has an account.
	EInvalidCredentials = "invalid_credentials"
	// EStepUpRequired: a sensitive change needs a code verified in this
	// session within the last minutes.
	EStepUpRequired = "step_up_required"
	// EBusy: more passwords wait to be hashed than the server lets wait;
	// nothing was checked or counted, and the request may be repeated
	// after RetryAfter.
	EBusy     = "busy"
	EInternal = "internal"
	// EForbidden: the caller is known but may not do what it asked, such
	// as an admin token of scope read asking to change an account.
	EForbidden = "forbidden"
)

// Error is the one error type that crosses package boundaries with a message
// that is safe to show a person. Internal detail stays in wrapped errors and
// goes to the log only.
type Error struct {
	Code    string
	Message string
	// Field names the input at fault, when one is.
	Field string
	// AttemptsLeft is set with EInvalidCode.
	AttemptsLeft int
	// RetryAfter is set with ERateLimited, ETooManyAttempts and EBusy
	// when the refusal ends by itself.
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("otpd: %s: %s (%s)", e.Code, e.Message, e.Field)
	}
	return fmt.Sprintf("otpd: %s: %s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldError returns an EInvalid error that names the field at fault.
func FieldError(field, format string, args ...any) *Error {
	return &Error{Code: EInvalid, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EInternal for
// any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// ErrAddressTaken is returned by a Store when an account's address would
// become one another account has.
var ErrAddressTaken = errors.New("address belongs to another account")

// ErrCampaignOn is returned by StartCampaign when the account is under
// attack already.
var ErrCampaignOn = errors.New("a campaign is on already")

// ErrNotFound is returned by a Store when the thing asked for does not exist.
var ErrNotFound = errors.New("not found")
