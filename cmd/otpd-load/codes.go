package main

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"time"

	"github.com/otpd/otpd/client"
)

// account is one address the generator signs in. An account is leased to
// one flow at a time, so a message to its address answers that flow.
type account struct {
	email string
	// lastMessage is the newest dev-mailbox message already there, so
	// that a flow waits for a new one; seen says it has been looked up.
	// A new address has none to look up.
	lastMessage string
	seen        bool
}

// codeSource finds the code a flow's request sent. expect is called
// before the request, so that a message arriving quickly is not missed
// and one that was there before is not taken for it; the returned wait
// blocks until the code is there or ctx ends.
type codeSource interface {
	expect(ctx context.Context, a *account) (wait func(ctx context.Context) (string, error), err error)
}

// errNoCode means a message came without a code in it.
var errNoCode = errors.New("no code in the message")

// codeLine is a line holding only a grouped code, as the text part shows
// it ("123 456 789", "123 4567").
var codeLine = regexp.MustCompile(`(?m)^[ \t]*(\d{3}(?: \d{3,4})*(?: \d{1,4})?)[ \t]*\r?$`)

// extractCode returns the code of a code email's text, without spaces.
func extractCode(text string) (string, bool) {
	for _, m := range codeLine.FindAllStringSubmatch(text, -1) {
		code := strings.ReplaceAll(m[1], " ", "")
		if len(code) >= 6 && len(code) <= 10 {
			return code, true
		}
	}
	return "", false
}

// mailbox reads codes from the server's dev mailbox API, polling: the
// outbox worker delivers after the request has been answered.
type mailbox struct {
	api *client.Client
	rec *recorder
}

// The first poll comes soon, since delivery usually takes a few
// milliseconds; later ones back off so that a slow server is not also
// flooded with polls.
const (
	firstPoll = 2 * time.Millisecond
	maxPoll   = 50 * time.Millisecond
)

func (m *mailbox) expect(ctx context.Context, a *account) (func(ctx context.Context) (string, error), error) {
	if !a.seen {
		// An earlier run against the same server left messages to this
		// address; the newest of them is not this flow's.
		msg, ok, err := m.api.NewestDevMessage(ctx, a.email)
		if err != nil {
			return nil, err
		}
		if ok {
			a.lastMessage = msg.ID
		}
		a.seen = true
	}
	return func(ctx context.Context) (string, error) {
		wait := firstPoll
		for {
			if err := sleep(ctx, wait); err != nil {
				return "", err
			}
			m.rec.poll()
			msg, ok, err := m.api.NewestDevMessage(ctx, a.email)
			if err != nil {
				return "", err
			}
			if ok && msg.ID != a.lastMessage {
				a.lastMessage = msg.ID
				code, ok := extractCode(msg.Text)
				if !ok {
					return "", errNoCode
				}
				return code, nil
			}
			wait = min(wait*2, maxPoll)
		}
	}, nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
