package sqlstore

import "time"

// The store's operations whose durations an observer hears: the
// transactions on a sign-in's path and the outbox's.
const (
	opRequestCode    = "request_code"
	opVerifyCode     = "verify_code"
	opStartSession   = "start_session"
	opReserveAttempt = "reserve_attempt"
	opClaimMessages  = "claim_messages"
	opFinishSent     = "finish_sent"
	opFinishMessage  = "finish_message"
	opRetryMessage   = "retry_message"
	opPrune          = "prune"
)

// Ops are the names ObserveTransactions's function is called with: a
// fixed set, so that a metric may be labelled with them.
func Ops() []string {
	return []string{opRequestCode, opVerifyCode, opStartSession, opReserveAttempt, opClaimMessages,
		opFinishSent, opFinishMessage, opRetryMessage, opPrune}
}

// ObserveTransactions has f told how long each operation of Ops took,
// waiting for the writer and committing included, whether it succeeded
// or not; nil tells nobody. f is called on the caller's goroutine, so it
// must be safe for concurrent use and quick. It may be set while the
// store is in use.
func (s *Store) ObserveTransactions(f func(op string, took time.Duration)) {
	if f == nil {
		s.observer.Store(nil)
		return
	}
	s.observer.Store(&f)
}

// observe tells the observer that op, begun at start, has ended. It is
// deferred with start evaluated at once: defer s.observe(op, time.Now()).
func (s *Store) observe(op string, start time.Time) {
	if f := s.observer.Load(); f != nil {
		(*f)(op, time.Since(start))
	}
}
