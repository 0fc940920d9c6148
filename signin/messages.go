package signin

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/otpd/otpd"
)

// Checking a message someone holds ("is this from you?") costs a lookup,
// or, for a raw message, parsing and a public-key operation per
// signature. The rates bound what one source can make the server do and
// how fast it can try references: 40 bits of MAC against 60 an hour.
var (
	checkRate    = otpd.Rate{Count: 60, Per: time.Hour, Burst: 20}
	checkNetRate = otpd.Rate{Count: 240, Per: time.Hour, Burst: 40}
)

// AllowMessageCheck counts a check of a message from r against the
// per-IP and per-network limits, before any of its work, and refuses it
// once they are spent.
func (e *Engine) AllowMessageCheck(ctx context.Context, r Requester) error {
	le, err := e.checkClient(ctx, []clientCheck{
		{"otpd:check:ip:" + r.IP, checkRate, LimitCheckIP},
		{"otpd:check:net:" + network(r.IP), checkNetRate, LimitCheckNetwork},
	})
	if err != nil {
		return internal("message check limits", err)
	}
	if le != nil {
		return &otpd.Error{Code: otpd.ERateLimited, RetryAfter: le.RetryAfter,
			Message: "too many messages were checked from your network; try again later"}
	}
	return nil
}

// MessageRequest says whether a message otpd sent went to an address of
// the caller's account, and returns the code request it was about when
// that request is the account's own. Only then may a page show who asked
// and offer "This wasn't me": to anyone else, what otpd knows of the
// message beyond what it says would tell whether the address has an
// account. A message with no request, or about another account's (a code
// confirming this address for someone else's account), is owned with a
// zero Challenge.
func (e *Engine) MessageRequest(ctx context.Context, c Caller, m otpd.SentMessage) (otpd.Challenge, bool, error) {
	acct := c.Account()
	key := m.To.Key()
	owned := key == acct.Email.Key() || (!acct.RecoveryEmail.IsZero() && key == acct.RecoveryEmail.Key())
	if !owned || m.ChallengeID == "" {
		return otpd.Challenge{}, owned, nil
	}
	ch, err := e.store.Challenge(ctx, m.ChallengeID)
	if errors.Is(err, otpd.ErrNotFound) || (err == nil && ch.AccountID != acct.ID) {
		return otpd.Challenge{}, true, nil
	}
	if err != nil {
		return otpd.Challenge{}, false, internal("message request", err)
	}
	return ch, true, nil
}

// forgeryRate bounds the forgery reports one source leaves: a few a day
// tell the operator what is going round; more would let one source fill
// the store's window (maxForgeries) with its own.
var forgeryRate = otpd.Rate{Count: 10, Per: 24 * time.Hour, Burst: 5}

// maxForgeries is how many forgery reports the store keeps.
const maxForgeries = 1000

// ReportForgery keeps what f says of a message someone checked and that
// otpd did not send, sealed under the server secret for the operator.
// Past the source's limit it keeps nothing and says nothing: the person
// checking is told the verdict either way.
func (e *Engine) ReportForgery(ctx context.Context, r Requester, f otpd.Forgery) error {
	le, err := e.checkClient(ctx, []clientCheck{{"otpd:forgery:ip:" + network(r.IP), forgeryRate, LimitForgeryNetwork}})
	if err != nil || le != nil {
		return err
	}
	f = f.Bound()
	f.At = e.now()
	b, err := json.Marshal(f)
	if err != nil {
		return internal("encode forgery report", err)
	}
	sealed, err := e.codes.SealReport(b)
	if err != nil {
		return internal("seal forgery report", err)
	}
	if err := e.store.KeepForgery(ctx, f.At, sealed, maxForgeries); err != nil {
		return internal("keep forgery report", err)
	}
	return nil
}
