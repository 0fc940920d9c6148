package signin

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/otpd/otpd"
)

// noticeLifetime is how long a notice may wait for delivery: it carries
// no code, and the owner should learn of a change even after an outage.
const noticeLifetime = 7 * 24 * time.Hour

// passwordNotice is the message telling an address what happened to its
// account's password. Its "this wasn't me" link names the challenge that
// allowed the change (the reset code, or the session's step-up code). It
// goes to the account's address, in the account's language.
//
// A session stepped up by an authenticator app or a recovery code has no
// such challenge: its notice has no link, and the reader is told to open
// otpd themselves.
func (e *Engine) passwordNotice(challengeID string, purpose otpd.Purpose, acct otpd.Account, change, place string, r Requester) (*otpd.OutboxMessage, error) {
	now := e.now()
	var deny string
	if challengeID != "" {
		deny = e.codes.DenyToken(challengeID)
	}
	data, err := json.Marshal(otpd.MessageData{
		Purpose: purpose, RequestedAt: now, ExpiresAt: now.Add(noticeLifetime), IP: r.IP, UserAgent: r.UserAgent,
		Place: place, Lang: acct.Language, DenyToken: deny, Change: change,
	})
	if err != nil {
		return nil, internal("encode notice", err)
	}
	return e.sealedNotice(challengeID, otpd.MessagePasswordChanged, acct.Email, data)
}

// sealedNotice queues a notice's data, sealed like a code's.
func (e *Engine) sealedNotice(challengeID string, kind otpd.MessageKind, to otpd.Address, data []byte) (*otpd.OutboxMessage, error) {
	sealed, err := e.codes.Seal(data)
	if err != nil {
		return nil, internal("seal notice", err)
	}
	now, id := e.now(), newID()
	msgID := fmt.Sprintf("<%s@%s>", id, e.policy.MessageIDDomain)
	return &otpd.OutboxMessage{
		ID: id, ChallengeID: challengeID, Kind: kind, To: to, Payload: sealed,
		MessageID: msgID, Ref: e.codes.MessageRef(msgID),
		CreatedAt: now, NotAfter: now.Add(noticeLifetime), NextAttempt: now, State: otpd.MessageQueued,
	}, nil
}

// appNotice tells the owner that an app got access to the account: its
// name (as the event names it), the scopes it asked for, and when and
// from where, as the event records them. It names no challenge and
// carries no deny token: whoever did not do it is told to open otpd
// themselves and remove the app there. It is made out to the account's
// address, and the store sends it to the address it keeps, read in the
// grant's transaction.
func (e *Engine) appNotice(acct otpd.Account, req otpd.AuthRequest, ev otpd.Event, r Requester) (*otpd.OutboxMessage, error) {
	data, err := json.Marshal(otpd.MessageData{
		Purpose: otpd.PurposeSignIn, RequestedAt: ev.At, ExpiresAt: ev.At.Add(noticeLifetime), IP: ev.IP,
		UserAgent: ev.UserAgent, Place: ev.Place, Lang: acct.Language, App: ev.Concerns, Scopes: req.Scopes,
	})
	if err != nil {
		return nil, internal("encode notice", err)
	}
	return e.sealedNotice("", otpd.MessageAppAuthorized, acct.Email, data)
}
