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

	EventPasswordSet     EventType = "password_set"
	EventPasswordRemoved EventType = "password_removed"
	EventPasswordWrong   EventType = "password_wrong"
	// EventPasswordVerified is a right password; the detail says whether
	// a code is needed as well, and why.
	EventPasswordVerified EventType = "password_verified"
	EventPasswordReset    EventType = "password_reset"
	// EventLockedOut records that failures from one context locked it out
	// for a while; the detail says which context and until when.
	EventLockedOut        EventType = "locked_out"
	EventDeviceRemembered EventType = "device_remembered"
	EventDeviceForgotten  EventType = "device_forgotten"
	EventSteppedUp        EventType = "stepped_up"
	// EventSessionsEnded: the owner signed out every other session.
	EventSessionsEnded     EventType = "sessions_ended"
	EventEmailChanged      EventType = "email_changed"
	EventEmailChangeUndone EventType = "email_change_undone"
	EventRecoveryAdded     EventType = "recovery_added"
	EventRecoveryRemoved   EventType = "recovery_removed"
	// EventUnderAttack: code requests from scattered networks started a
	// campaign; the detail says how many and from where.
	EventUnderAttack EventType = "under_attack"
	// EventSettingsChanged: a sign-in preference changed.
	EventSettingsChanged EventType = "settings_changed"
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
	// Place is where IP is, as a person reads it; "" when unknown.
	Place string
	// Detail is a short, human-readable note; never a code.
	Detail string
}
