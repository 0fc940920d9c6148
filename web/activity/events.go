package activity

import (
	"fmt"

	"github.com/otpd/otpd"
)

// This file holds every word the activity page and the API say about an
// event, from its type and typed fields: an event is never read back out
// of stored text.

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
	otpd.EventSessionStarted: "Signed in with a code",
	otpd.EventSessionEnded:   "Signed out",
	otpd.EventCodeDenied:     "You reported a code request as not yours",

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
	otpd.EventAppAuthorized:     "App allowed to sign you in",
	otpd.EventAppRemoved:        "App's access removed",
	otpd.EventTokenReused:       "An app's sign-in was used twice: its access was revoked",

	otpd.EventAccountDisabled: "An administrator disabled your account",
	otpd.EventAccountEnabled:  "An administrator enabled your account again",
	otpd.EventAdminSignedOut:  "An administrator signed you out",
	otpd.EventAccountUnlocked: "An administrator unlocked your account",
	otpd.EventAccountExported: "An administrator exported your account's data",
	otpd.EventMethodAdded:     "Sign-in method added",
	otpd.EventMethodRemoved:   "Sign-in method removed",
	otpd.EventFactorVerified:  "Confirmed it was you with a sign-in method",
	otpd.EventFactorWrong:     "Wrong code of a sign-in method entered",
}

// eventCase is one case of an event type: its Reason, and for the few
// whose words depend on it, the purpose of its code.
type eventCase struct {
	typ     otpd.EventType
	reason  otpd.Reason
	purpose otpd.Purpose
}

// caseWords are what a case says beyond its type's title: a subject of
// its own, and a note, with %s for what the event concerns (about) or
// without (plain, when it concerns nothing).
type caseWords struct{ subject, plain, about string }

var eventCases = map[eventCase]caseWords{
	{typ: otpd.EventSessionStarted, reason: otpd.ReasonPassword}:        {subject: "Signed in with a password"},
	{typ: otpd.EventSessionStarted, purpose: otpd.PurposeResetPassword}: {subject: "Signed in with the new password's reset code"},
	{typ: otpd.EventSessionEnded}:                                       {about: "It was a session of %s."},
	{typ: otpd.EventSessionsEnded}:                                      {plain: "Signed out every other session."},
	{typ: otpd.EventSessionsEnded, reason: otpd.ReasonReported}:         {about: "Signed out the sessions started from %s after the reported code request."},
	{typ: otpd.EventCodeDenied, reason: otpd.ReasonDisowned}:            {subject: "A code sent to a new address was reported by that address's owner"},
	{typ: otpd.EventPasswordSet, reason: otpd.ReasonChanged}:            {subject: "Password changed"},
	{typ: otpd.EventPasswordRemoved}:                                    {plain: "You sign in with codes only."},
	{typ: otpd.EventPasswordWrong}:                                      {about: "It came from %s."},
	{typ: otpd.EventPasswordWrong, reason: otpd.ReasonNotChecked}:       {plain: "It was not checked: too many failures from this device.", about: "It was not checked: too many failures from %s."},
	{typ: otpd.EventPasswordVerified}:                                   {about: "No code was needed on %s."},
	{typ: otpd.EventPasswordVerified, reason: otpd.ReasonCodeNeeded}:    {plain: "A code was needed as well.", about: "A code was needed as well: %s."},
	{typ: otpd.EventPasswordReset}:                                      {plain: "Every other session was signed out."},
	{typ: otpd.EventLockedOut}:                                          {about: "Paused: %s."},
	{typ: otpd.EventDeviceForgotten}:                                    {about: "It was %s."},
	{typ: otpd.EventSteppedUp}:                                          {plain: "A code confirmed it was you before a sensitive change."},
	{typ: otpd.EventEmailChanged}:                                       {about: "Sign-in address changed from %s."},
	{typ: otpd.EventEmailChangeUndone}:                                  {plain: "The old address's owner undid it from the email; every session was signed out."},
	{typ: otpd.EventRecoveryAdded}:                                      {about: "It is %s."},
	{typ: otpd.EventRecoveryRemoved}:                                    {about: "It was %s."},
	{typ: otpd.EventUnderAttack}:                                        {plain: "Codes for devices it does not know are held back.", about: "Codes were asked for from %s; codes for devices it does not know are held back."},
	{typ: otpd.EventSettingsChanged, reason: otpd.ReasonCodeOn}:         {plain: "Code-only sign-in was turned on."},
	{typ: otpd.EventSettingsChanged, reason: otpd.ReasonCodeOff}:        {plain: "Code-only sign-in was turned off: a password and a code are needed."},
	{typ: otpd.EventCodeRequested, reason: otpd.ReasonNoAccount}:        {plain: noCodeWords[otpd.ReasonNoAccount]},
	{typ: otpd.EventCodeRequested, reason: otpd.ReasonHeldBack}:         {plain: noCodeWords[otpd.ReasonHeldBack]},
	{typ: otpd.EventCodeRequested, reason: otpd.ReasonCodeOff}:          {plain: noCodeWords[otpd.ReasonCodeOff]},
	{typ: otpd.EventCodeRefused, reason: otpd.ReasonRefused}:            {plain: noCodeWords[otpd.ReasonRefused]},
	{typ: otpd.EventCodeRequested, reason: otpd.ReasonDisabled}:         {plain: noCodeWords[otpd.ReasonDisabled]},
	{typ: otpd.EventAccountDisabled}:                                    {plain: "Every session was signed out, and nobody can sign in until it is enabled again."},
	{typ: otpd.EventAdminSignedOut}:                                     {plain: "Every session was signed out."},
	{typ: otpd.EventAccountUnlocked}:                                    {plain: "Sign-ins paused after failures may be tried again."},
	{typ: otpd.EventAccountExported}:                                    {plain: "A copy of everything kept about your account was made, as you may ask for."},
	{typ: otpd.EventCodeRequested}:                                      {about: "It was sent to the recovery address %s."},
	{typ: otpd.EventAppAuthorized}:                                      {about: "%s may sign you in and read your email address."},
	{typ: otpd.EventAppRemoved}:                                         {about: "%s can no longer sign you in; its tokens were revoked."},
	{typ: otpd.EventTokenReused, reason: otpd.ReasonCodeReplayed}:       {about: "A sign-in code for %s was presented twice; the app must sign you in again."},
	{typ: otpd.EventTokenReused, reason: otpd.ReasonRefreshReused}:      {about: "A token of %s was presented after it was replaced; the app must sign you in again."},

	{typ: otpd.EventMethodAdded, reason: otpd.ReasonTOTP}:             {subject: "Authenticator app added"},
	{typ: otpd.EventMethodAdded, reason: otpd.ReasonRecoveryCodes}:    {subject: "New recovery codes made", plain: "Any codes made before them no longer work."},
	{typ: otpd.EventMethodRemoved, reason: otpd.ReasonTOTP}:           {subject: "Authenticator app removed"},
	{typ: otpd.EventMethodRemoved, reason: otpd.ReasonRecoveryCodes}:  {subject: "Recovery codes removed"},
	{typ: otpd.EventFactorVerified, reason: otpd.ReasonTOTP}:          {subject: "Authenticator app code entered correctly"},
	{typ: otpd.EventFactorVerified, reason: otpd.ReasonRecoveryCodes}: {subject: "Recovery code used", plain: "It cannot be used again."},
	{typ: otpd.EventFactorWrong, reason: otpd.ReasonTOTP}:             {subject: "Wrong authenticator app code entered", plain: "A code used before counts as wrong."},
	{typ: otpd.EventFactorWrong, reason: otpd.ReasonRecoveryCodes}:    {subject: "Wrong recovery code entered", plain: "A code used before counts as wrong."},
	{typ: otpd.EventSessionStarted, reason: otpd.ReasonTOTP}:          {subject: "Signed in with a password and an authenticator app"},
	{typ: otpd.EventSessionStarted, reason: otpd.ReasonRecoveryCodes}: {subject: "Signed in with a password and a recovery code"},
	{typ: otpd.EventSteppedUp, reason: otpd.ReasonTOTP}:               {subject: "Confirmed it was you with an authenticator app", plain: "Before a sensitive change."},
	{typ: otpd.EventSteppedUp, reason: otpd.ReasonRecoveryCodes}:      {subject: "Confirmed it was you with a recovery code", plain: "Before a sensitive change."},
	{typ: otpd.EventCodeLocked, reason: otpd.ReasonTOTP}:              {subject: "Authenticator app code refused: too many wrong codes for this address"},
	{typ: otpd.EventCodeLocked, reason: otpd.ReasonRecoveryCodes}:     {subject: "Recovery code refused: too many wrong codes for this address"},
}

// contextWords name the context a password_wrong event (one: where it
// came from) or a locked_out event (all: what was paused) concerns.
var contextWords = map[string]struct{ one, all string }{
	string(otpd.Familiar):   {"a remembered device", "sign-ins from remembered devices"},
	string(otpd.Unfamiliar): {"a device the account does not know", "sign-ins from devices the account does not know"},
	string(otpd.Confirming): {"a code confirming a new address", "codes confirming a new address"},
}

// noCodeWords say why a code request sent no code.
var noCodeWords = map[otpd.Reason]string{
	otpd.ReasonRefused:   "It was refused: too many codes had been asked for. No code was sent.",
	otpd.ReasonHeldBack:  "No code was sent: your account was under attack, and codes for devices it does not know were held back.",
	otpd.ReasonCodeOff:   "No code was sent, because code-only sign-in is off.",
	otpd.ReasonNoAccount: "No code was sent: there was no account for the address yet.",
	otpd.ReasonDisabled:  "No code was sent: your account was disabled.",
}

// purposeWords name a code by its purpose: as the subject of a sentence
// on the activity page, and as what it does, to complete "a code to ...".
var purposeWords = map[otpd.Purpose]struct{ code, does string }{
	otpd.PurposeSignIn:        {"A sign-in code", "sign in"},
	otpd.PurposeSignUp:        {"A code to create your account", "create an account"},
	otpd.PurposeResetPassword: {"A password reset code", "reset the password"},
	otpd.PurposeStepUp:        {"A code to confirm a change to your account", "confirm a change to the account"},
	otpd.PurposeChangeEmail:   {"A code to confirm a new sign-in address", "make this address the sign-in address of an account"},
	otpd.PurposeAddRecovery:   {"A code to confirm a recovery address", "make this address the recovery address of an account"},
}

// CodeDoes completes "a code to ..." for a code of purpose p.
func CodeDoes(p otpd.Purpose) string { return purposeWords[p].does }

// codeName is "A sign-in code" and the like; a purpose it does not know
// is a sign-in's.
func codeName(p otpd.Purpose) string {
	if w, ok := purposeWords[p]; ok {
		return w.code
	}
	return purposeWords[otpd.PurposeSignIn].code
}

// eventWords are the subject and the note of an event on its own line.
func eventWords(ev otpd.Event) (subject, note string) {
	subject = eventTitle(ev.Type)
	w := wordsFor(ev)
	switch {
	case w.subject != "":
		subject = w.subject
	case ev.Type == otpd.EventCodeRequested && ev.Resend:
		subject = codeName(ev.Purpose) + " was requested again"
	case ev.Type == otpd.EventCodeRequested, ev.Type == otpd.EventCodeRefused:
		subject = codeName(ev.Purpose) + " was requested"
	}
	about := ev.Concerns
	switch ev.Type {
	case otpd.EventPasswordWrong:
		about = contextWords[about].one
	case otpd.EventLockedOut:
		about = contextWords[about].all
	}
	switch {
	case about != "" && w.about != "":
		note = fmt.Sprintf(w.about, about)
	default:
		note = w.plain
	}
	return subject, note
}

// wordsFor finds the words of ev's case: with its purpose, else with its
// reason alone, else its type's.
func wordsFor(ev otpd.Event) caseWords {
	for _, c := range []eventCase{{ev.Type, ev.Reason, ev.Purpose}, {ev.Type, ev.Reason, ""}, {typ: ev.Type}} {
		if w, ok := eventCases[c]; ok {
			return w
		}
	}
	return caseWords{}
}

// Detail is an event in words on one line, as the API gives it.
func Detail(ev otpd.Event) string {
	subject, note := eventWords(ev)
	if note == "" {
		return subject + "."
	}
	return subject + ". " + note
}

func eventTitle(t otpd.EventType) string {
	if title, ok := eventTitles[t]; ok {
		return title
	}
	return string(t)
}
