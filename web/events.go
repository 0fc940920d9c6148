package web

import "github.com/otpd/otpd"

// eventTitles name each event type in plain words, for an event shown on
// its own.
var eventTitles = map[otpd.EventType]string{
	otpd.EventCodeRequested:  "Code requested",
	otpd.EventCodeRefused:    "Code request refused (too many requests)",
	otpd.EventCodeVerified:   "Code entered correctly",
	otpd.EventCodeWrong:      "Wrong code entered",
	otpd.EventCodeExpired:    "Expired code entered",
	otpd.EventCodeExhausted:  "Code entered after too many wrong tries",
	otpd.EventCodeLocked:     "Code refused: too many wrong codes for this address",
	otpd.EventCodeRejected:   "Code refused: no longer valid",
	otpd.EventAccountCreated: "Account created",
	otpd.EventSessionStarted: "Signed in",
	otpd.EventSessionEnded:   "Signed out",
	otpd.EventCodeDenied:     "You reported a code you did not ask for",

	otpd.EventPasswordSet:      "Password set",
	otpd.EventPasswordRemoved:  "Password removed",
	otpd.EventPasswordWrong:    "Wrong password entered",
	otpd.EventPasswordVerified: "Password entered correctly",
	otpd.EventPasswordReset:    "Password reset with a code",
	otpd.EventLockedOut:        "Sign-ins paused after too many failures",
	otpd.EventDeviceRemembered: "Device remembered",
	otpd.EventDeviceForgotten:  "Device forgotten",
	otpd.EventSteppedUp:        "Confirmed it was you with a code",

	otpd.EventSessionsEnded:     "Sessions signed out",
	otpd.EventEmailChanged:      "Email address changed",
	otpd.EventEmailChangeUndone: "Email address change undone",
	otpd.EventRecoveryAdded:     "Recovery address added",
	otpd.EventRecoveryRemoved:   "Recovery address removed",
	otpd.EventUnderAttack:       "Codes asked for from many places: account under attack",
	otpd.EventSettingsChanged:   "Sign-in settings changed",
}
