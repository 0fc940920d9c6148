package activity

import (
	"slices"
	"strings"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/catalog"
)

// Activity can be filtered by kind, on the page and over the API, so that
// an owner looking for one thing ("who signed in?") is not buried under
// the rest. The keys travel in URLs (?kind=codes) and are refused unless
// they are one of these.
const (
	kindSignIns = "sign-ins"
	kindCodes   = "codes"
	kindChanges = "changes"
	kindDevices = "devices"
	kindReports = "reports"
)

// Kind is a filter as the page offers it.
type Kind struct {
	Key, Label string
}

// kindKeys are the filters' keys in the order the page lists them; each
// is labelled act.kind.<key>.
var kindKeys = []string{kindSignIns, kindCodes, kindChanges, kindDevices, kindReports}

// Kinds are the filters in the order the page lists them, labelled in l.
func Kinds(l catalog.Lang) []Kind {
	ks := make([]Kind, len(kindKeys))
	for i, k := range kindKeys {
		ks[i] = Kind{Key: k, Label: l.T("act.kind." + k)}
	}
	return ks
}

// eventKinds puts every event type in one kind. The attempts on a code
// belong with its request; a sign-in that a code started is a sign-in.
var eventKinds = map[otpd.EventType]string{
	otpd.EventCodeRequested: kindCodes,
	otpd.EventCodeRefused:   kindCodes,
	otpd.EventCodeVerified:  kindCodes,
	otpd.EventCodeWrong:     kindCodes,
	otpd.EventCodeExpired:   kindCodes,
	otpd.EventCodeExhausted: kindCodes,
	otpd.EventCodeLocked:    kindCodes,
	otpd.EventCodeRejected:  kindCodes,
	otpd.EventUnderAttack:   kindCodes,

	otpd.EventAccountCreated:   kindSignIns,
	otpd.EventSessionStarted:   kindSignIns,
	otpd.EventSessionEnded:     kindSignIns,
	otpd.EventSessionsEnded:    kindSignIns,
	otpd.EventPasswordWrong:    kindSignIns,
	otpd.EventPasswordVerified: kindSignIns,
	otpd.EventLockedOut:        kindSignIns,

	otpd.EventPasswordSet:       kindChanges,
	otpd.EventPasswordRemoved:   kindChanges,
	otpd.EventPasswordReset:     kindChanges,
	otpd.EventSteppedUp:         kindChanges,
	otpd.EventEmailChanged:      kindChanges,
	otpd.EventEmailChangeUndone: kindChanges,
	otpd.EventRecoveryAdded:     kindChanges,
	otpd.EventRecoveryRemoved:   kindChanges,
	otpd.EventSettingsChanged:   kindChanges,

	otpd.EventDeviceRemembered: kindDevices,
	otpd.EventDeviceForgotten:  kindDevices,

	otpd.EventCodeDenied: kindReports,

	// An app signing the owner in, or losing that right, is a change to
	// who may act for them.
	otpd.EventAppAuthorized: kindChanges,
	otpd.EventAppRemoved:    kindChanges,
	otpd.EventTokenReused:   kindReports,

	// What an administrator did changes who may sign in, or looks at
	// the account.
	otpd.EventAccountDisabled: kindChanges,
	otpd.EventAccountEnabled:  kindChanges,
	otpd.EventAdminSignedOut:  kindSignIns,
	otpd.EventAccountUnlocked: kindChanges,
	otpd.EventAccountExported: kindChanges,
	// A method is a way in: adding or removing one changes the account;
	// using one is a sign-in.
	otpd.EventMethodAdded:    kindChanges,
	otpd.EventMethodRemoved:  kindChanges,
	otpd.EventFactorVerified: kindSignIns,
	otpd.EventFactorWrong:    kindSignIns,
}

// KindOf is the kind an event type belongs to.
func KindOf(t otpd.EventType) string { return eventKinds[t] }

// ParseKind reads the kind query parameter: "" (or none) is every kind.
func ParseKind(values []string) (string, error) {
	if len(values) == 0 || (len(values) == 1 && values[0] == "") {
		return "", nil
	}
	if len(values) == 1 && slices.Contains(kindKeys, values[0]) {
		return values[0], nil
	}
	return "", otpd.FieldError("kind", "kind must be one of %s, or left out for everything", strings.Join(kindKeys, ", "))
}
