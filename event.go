package otpd

import "time"

// EventType names a security event.
type EventType string

const (
	EventCodeRequested  EventType = "code_requested"
	EventCodeRefused    EventType = "code_request_refused"
	EventCodeVerified   EventType = "code_verified"
	EventCodeWrong      EventType = "code_wrong"
	EventCodeExpired    EventType = "code_expired"
	EventCodeExhausted  EventType = "code_exhausted"
	EventCodeLocked     EventType = "code_locked"
	EventCodeRejected   EventType = "code_rejected"
	EventAccountCreated EventType = "account_created"
	EventSessionStarted EventType = "session_started"
	EventSessionEnded   EventType = "session_ended"
	// EventCodeDenied is the owner's report, from the link in the email,
	// that they did not ask for a code.
	EventCodeDenied EventType = "code_denied"
)

// Event is one entry of an account's security record. Events about an
// address that has no account yet carry only Email; when the account is
// created they are attached to it, so its owner sees who asked before.
type Event struct {
	ID        string
	Type      EventType
	At        time.Time
	AccountID string
	Email     Address
	FlowID    string
	IP        string
	UserAgent string
	// Detail is a short, human-readable note; never a code.
	Detail string
}
