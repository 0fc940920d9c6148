package sqlstore

import (
	"context"

	"github.com/otpd/otpd"
)

// maxSameRef bounds the messages one reference returns: 40 bits of a MAC
// seldom collide, and a check needs only the one whose Message-ID matches.
const maxSameRef = 20

// MessagesByRef returns the messages with the reference ref, newest first.
func (s *Store) MessagesByRef(ctx context.Context, ref string) ([]otpd.SentMessage, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT ref, message_id, kind, to_addr, created_at, state,
		COALESCE(challenge_id, '') FROM outbox WHERE ref = $1 ORDER BY created_at DESC, id LIMIT $2`, ref, maxSameRef)
	msgs, err := scanAll(rows, err, func(row scanner) (otpd.SentMessage, error) {
		var (
			m           otpd.SentMessage
			kind, state string
			to          string
			created     int64
		)
		if err := row.Scan(&m.Ref, &m.MessageID, &kind, &to, &created, &state, &m.ChallengeID); err != nil {
			return otpd.SentMessage{}, err
		}
		addr, err := parseAddress(to)
		if err != nil {
			return otpd.SentMessage{}, err
		}
		m.To, m.Kind, m.State, m.CreatedAt = addr, otpd.MessageKind(kind), otpd.MessageState(state), fromMS(created)
		return m, nil
	})
	if err != nil {
		return nil, s.errorf("messages by reference %s: %w", ref, err)
	}
	return msgs, nil
}
