package edge

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/otpd/otpd"
)

// Status maps an error code to its HTTP status.
func Status(code string) int {
	switch code {
	case otpd.EInvalid, otpd.EInvalidCode, otpd.ECodeExpired:
		return http.StatusBadRequest
	case otpd.EUnauthorized, otpd.EInvalidCredentials:
		return http.StatusUnauthorized
	case otpd.EStepUpRequired, EForbidden:
		return http.StatusForbidden
	case otpd.ENotFound:
		return http.StatusNotFound
	case otpd.ERateLimited, otpd.ETooManyAttempts, otpd.EBusy:
		// Busy is a 429 rather than a 503: anyone can fill the queue of
		// passwords to hash, and nothing a client sends may make this
		// server answer 5xx (nor make a balancer that takes 503s for a
		// sick node retry elsewhere, or drop this one).
		return http.StatusTooManyRequests
	case EMethod:
		return http.StatusMethodNotAllowed
	case EMediaType:
		return http.StatusUnsupportedMediaType
	default:
		return http.StatusInternalServerError
	}
}

// Codes the web adds for protocol errors.
const (
	EMethod    = "method_not_allowed"
	EMediaType = "unsupported_media_type"
	// EForbidden: a signed-in account that may not reach what it asked
	// for, or a request from someone the route does not answer.
	EForbidden = otpd.EForbidden
)

// PublicError returns the *otpd.Error to show for err. Anything else is an
// internal failure: it is logged with its detail and shown as a generic
// message, so that no internals reach a client.
func (e *Edge) PublicError(r *http.Request, err error) *otpd.Error {
	var pub *otpd.Error
	if errors.As(err, &pub) {
		return pub
	}
	e.Log.ErrorContext(r.Context(), "request failed", slog.String("method", r.Method),
		slog.String("path", r.URL.Path), slog.Any("err", err))
	return otpd.Errorf(otpd.EInternal, "something went wrong on our side; please try again")
}

// SetRetryAfter sets Retry-After in whole seconds, rounded up.
func SetRetryAfter(w http.ResponseWriter, e *otpd.Error) {
	if e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(RetrySeconds(e.RetryAfter)))
	}
}

// RetrySeconds rounds up, so that a client waiting that long is not refused
// again by a fraction of a second.
func RetrySeconds(d time.Duration) int {
	return int((d + time.Second - 1) / time.Second)
}
