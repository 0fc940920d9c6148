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
// allowed the change (the reset code, or the session's step-up code).
func (e *Engine) passwordNotice(challengeID string, purpose otpd.Purpose, to otpd.Address, change, place string, r Requester) (*otpd.OutboxMessage, error) {
	now := e.now()
	data, err := json.Marshal(otpd.MessageData{
		Purpose: purpose, RequestedAt: now, ExpiresAt: now.Add(noticeLifetime), IP: r.IP, UserAgent: r.UserAgent,
		Place: place, Lang: r.Lang, DenyToken: e.codes.DenyToken(challengeID), Change: change,
	})
	if err != nil {
		return nil, internal("encode notice", err)
	}
	return e.sealedNotice(challengeID, otpd.MessagePasswordChanged, to, data)
}

// sealedNotice queues a notice's data, sealed like a code's.
func (e *Engine) sealedNotice(challengeID string, kind otpd.MessageKind, to otpd.Address, data []byte) (*otpd.OutboxMessage, error) {
	sealed, err := e.codes.Seal(data)
	if err != nil {
		return nil, internal("seal notice", err)
	}
	now, id := e.now(), newID()
	return &otpd.OutboxMessage{
		ID: id, ChallengeID: challengeID, Kind: kind, To: to, Payload: sealed,
		MessageID: fmt.Sprintf("<%s@%s>", id, e.policy.MessageIDDomain),
		CreatedAt: now, NotAfter: now.Add(noticeLifetime), NextAttempt: now, State: otpd.MessageQueued,
	}, nil
}
