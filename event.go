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
	// EventPasswordVerified is a right password; its Reason says whether
	// a code is needed as well, and Concerns why.
	EventPasswordVerified EventType = "password_verified"
	EventPasswordReset    EventType = "password_reset"
	// EventLockedOut records that failures from one context locked it out
	// for a while; Concerns names the context.
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
	// campaign, which says how many and from where.
	EventUnderAttack EventType = "under_attack"
	// EventSettingsChanged: a sign-in preference changed.
	EventSettingsChanged EventType = "settings_changed"
	// EventAppAuthorized: the owner let an app sign them in, or widened
	// what it may have; Concerns names the app.
	EventAppAuthorized EventType = "app_authorized"
	// EventAppRemoved: the owner removed an app's access, and every token
	// it held for them; Concerns names the app.
	EventAppRemoved EventType = "app_removed"
	// EventTokenReused: a spent authorization code (ReasonCodeReplayed) or
	// refresh token (ReasonRefreshReused) came back, so one had leaked,
	// and every token that grew from it was revoked; Concerns names the
	// app.
	EventTokenReused EventType = "token_reused"

	// What an administrator did to the account (package admin); each is
	// shown to the owner. EventAccountExported is a copy of everything
	// kept about the account handed to the administrator.
	EventAccountDisabled EventType = "account_disabled"
	EventAccountEnabled  EventType = "account_enabled"
	EventAdminSignedOut  EventType = "admin_signed_out"
	EventAccountUnlocked EventType = "account_unlocked"
	EventAccountExported EventType = "account_exported"
	// EventAccountDeleted is never stored on an account, which it
	// erases: it is counted in the anonymous event counts only.
	EventAccountDeleted EventType = "account_deleted"
	// EventMethodAdded and EventMethodRemoved: the owner added or removed
	// a method; Reason names its kind (ReasonTOTP, ReasonRecoveryCodes).
	EventMethodAdded   EventType = "method_added"
	EventMethodRemoved EventType = "method_removed"
	// EventFactorVerified and EventFactorWrong: a code of an added method
	// was right or wrong; Reason names the method, Purpose what it was
	// for (sign_in or step_up).
	EventFactorVerified EventType = "factor_verified"
	EventFactorWrong    EventType = "factor_wrong"
)

// Event is one entry of an account's security record. Events about an
// address that has no account yet carry only Email; when the account is
// created they are attached to it, so its owner sees who asked before.
// An event holds no sentences: its type and typed fields say what
// happened, and the pages and the API put that in words from one table.
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
	// Purpose is what the code an event concerns was for: the code of a
	// request, an attempt, a report, or the code a session started with.
	Purpose Purpose
	// Resend marks a code request that replaced its flow's code.
	Resend bool
	// Reason says which case of its type an event records; see Reason.
	Reason Reason
	// Concerns names what the event is about besides the account, as a
	// person reads it: a device's name, a masked address, a session's
	// browser and IP, the reasons a password needed a code. It is shown,
	// never read back.
	Concerns string
}

// Reason says which case of its type an event records, where a type has
// more than one; "" is the type's plain case. Pages choose their words by
// it, so a stored event never has to be read back as text.
type Reason string

const (
	// Why a code request sent no code (code_requested, and refused for
	// code_request_refused).
	ReasonRefused   Reason = "refused"
	ReasonHeldBack  Reason = "held_back"
	ReasonCodeOff   Reason = "code_sign_in_off"
	ReasonNoAccount Reason = "no_account"
	// ReasonDisowned: a code_denied from the owner of an address an
	// account asked to confirm as its own, not from the account's owner.
	ReasonDisowned Reason = "disowned"
	// ReasonPassword: a session_started by a password.
	ReasonPassword Reason = "password"
	// ReasonChanged: a password_set that replaced a password.
	ReasonChanged Reason = "changed"
	// ReasonCodeNeeded: a password_verified that needed a code as well.
	ReasonCodeNeeded Reason = "code_needed"
	// ReasonNotChecked: a password_wrong refused before it was checked,
	// the context being locked out.
	ReasonNotChecked Reason = "not_checked"
	// ReasonCodeOn and ReasonCodeOff (above): a settings_changed that
	// turned code-only sign-in on or off.
	ReasonCodeOn Reason = "code_sign_in_on"
	// ReasonReported: a sessions_ended that ended the sessions a reported
	// code request started, not every other session.
	ReasonReported Reason = "reported"
	// ReasonCodeReplayed and ReasonRefreshReused: what a token_reused
	// event saw come back.
	ReasonCodeReplayed  Reason = "code"
	ReasonRefreshReused Reason = "refresh"
	// ReasonDisabled: a code request for a disabled account, which sent
	// the owner a notice that it is disabled instead of a code.
	ReasonDisabled Reason = "account_disabled"
	// ReasonTOTP and ReasonRecoveryCodes name the method of a
	// method_added, method_removed, factor_verified or factor_wrong, and
	// of a session_started or stepped_up that a method's code allowed.
	ReasonTOTP          Reason = Reason(MethodTOTP)
	ReasonRecoveryCodes Reason = Reason(MethodRecoveryCodes)
)

// SentNoCode reports whether ev is a code request that sent no code.
func (ev Event) SentNoCode() bool {
	switch ev.Reason {
	case ReasonRefused, ReasonHeldBack, ReasonCodeOff, ReasonNoAccount, ReasonDisabled:
		return ev.Type == EventCodeRequested || ev.Type == EventCodeRefused
	}
	return ev.Type == EventCodeRefused
}
