// Package api holds the handlers of the JSON API, one file per area.
// Each returns an error, which the route table in package web answers
// through edge.WriteError; a signed-in route authenticates the bearer
// token once (edge.BearerCaller) and passes the Caller to the engine.
package api

import (
	"context"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/web/edge"
)

// Mailbox is the dev mailbox as the API reads it: the messages kept for
// an address (every one when to is empty), newest first and at most
// limit (0: all kept).
type Mailbox interface {
	Messages(ctx context.Context, to string, limit int) ([]otpd.Email, error)
}

// Handlers are the API's handlers. Build them with New.
type Handlers struct {
	*edge.Edge
	mailbox Mailbox
}

// New returns the API's handlers over e; mailbox may be nil when the
// dev mailbox is not mounted.
func New(e *edge.Edge, mailbox Mailbox) *Handlers {
	return &Handlers{Edge: e, mailbox: mailbox}
}
