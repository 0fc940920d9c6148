package edge

import (
	"context"
	"io"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/msgcheck"
)

// MessageChecker checks a message someone holds (msgcheck.Checker does):
// a raw message, or a reference they typed. Both audiences take it; the
// engine's AllowMessageCheck comes first.
type MessageChecker interface {
	Check(ctx context.Context, r io.Reader) (msgcheck.Report, error)
	LookupRef(ctx context.Context, ref string) (*otpd.SentMessage, error)
}

// MaxMessageUpload bounds the body of a request that carries a raw
// message: the checker's own limit, and room for a form's other fields
// and boundaries. A larger body is cut there, and refused.
const MaxMessageUpload = 512<<10 + 16<<10

// errNoChecker answers where no checker is wired.
var errNoChecker = &otpd.Error{Code: otpd.ENotFound, Message: "this server does not check messages"}

// MessageChecker returns the checker, or an error when there is none.
func (e *Edge) MessageChecker() (MessageChecker, error) {
	if e.Checker == nil {
		return nil, errNoChecker
	}
	return e.Checker, nil
}
