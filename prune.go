package otpd

import "time"

// PruneRequest says what retention deletes: rows whose time ended more
// than an age before Now. An age of zero leaves its kind alone, so that a
// request that forgets one deletes nothing of it; a negative age is an
// error.
//
// Nothing live is ever deleted, whatever the ages: a pending challenge
// within its lifetime, a message still queued, an active session, or a
// failure count (guard) within its window or lockout.
type PruneRequest struct {
	Now time.Time
	// Events recorded more than Events before Now go. Code requests are
	// events too: their age is this one, never shorter, because they are
	// the owner's evidence of who drove the address.
	Events time.Duration
	// Challenges that expired more than Challenges before Now go, with
	// their finished outbox messages, and so do webhooks whose delivery
	// ended that long ago; a challenge whose message is still
	// queued stays until it is delivered or given up, and one that
	// confirmed a change of address stays with that change's record.
	Challenges time.Duration
	// Sessions that ended, or passed their absolute expiry, more than
	// Sessions before Now go; so do OpenID Connect tokens and token
	// families that expired as long ago (a revoked family waits for its
	// expiry, so a replay of its tokens is still recognised), and signing
	// keys no longer published. Authorization requests go with the
	// challenges' age, once both they and their code have expired. An idle session waits for its absolute
	// expiry: the idle timeout is a setting that may be raised, which
	// would bring the session back.
	Sessions time.Duration
	// GuessWindow is the window of the failure counts (guards,
	// GuessLimits.Window). A count whose window, and whose lockout, ended
	// more than Challenges before Now counts nothing and goes; the margin
	// keeps it should the window be lengthened meanwhile. Zero keeps
	// every count.
	GuessWindow time.Duration
	// Limit bounds the rows of each kind one call deletes, so that one
	// transaction stays short; zero or less means no bound. Call again
	// while a kind reaches it.
	Limit int
}

// PruneResult is what one Prune deleted.
type PruneResult struct {
	Events     int
	Challenges int
	Messages   int
	// Webhooks whose delivery ended go with the challenges' age.
	Webhooks int
	Sessions int
	Guards   int
	// AuthRequests, Tokens (access and refresh tokens and their
	// families) and SigningKeys are the OpenID Connect provider's.
	AuthRequests int
	Tokens       int
	SigningKeys  int
	// Skipped means another node was pruning, and this call deleted
	// nothing: one pruner at a time is enough.
	Skipped bool
}

// Full reports whether some kind reached limit, so that more may be due.
func (r PruneResult) Full(limit int) bool {
	if limit <= 0 || r.Skipped {
		return false
	}
	return max(r.Events, r.Challenges, r.Messages, r.Webhooks, r.Sessions, r.Guards, r.AuthRequests, r.Tokens, r.SigningKeys) >= limit
}
