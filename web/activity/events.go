package activity

import (
	"github.com/otpd/otpd"
	"github.com/otpd/otpd/catalog"
)

// This file holds every word the activity page and the API say about an
// event, from its type and typed fields: an event is never read back out
// of stored text. The words themselves are in the catalogue, under act.:
// act.title.<type> names each event type, for an event shown on its own.

// eventCase is one case of an event type: its Reason, and for the few
// whose words depend on it, the purpose of its code.
type eventCase struct {
	typ     otpd.EventType
	reason  otpd.Reason
	purpose otpd.Purpose
}

// caseWords name what a case says beyond its type's title, in the
// catalogue: act.case.<key>.subject, a subject of its own; .plain, a
// note when the event concerns nothing; .about, a note with {{.About}}
// for what it concerns. A case that only says why no code was sent
// names that reason instead (act.nocode.<reason>).
type caseWords struct {
	key    string
	noCode otpd.Reason
}

var eventCases = map[eventCase]caseWords{
	{typ: otpd.EventSessionStarted, reason: otpd.ReasonPassword}:        {key: "session_started_password"},
	{typ: otpd.EventSessionStarted, purpose: otpd.PurposeResetPassword}: {key: "session_started_reset_password"},
	{typ: otpd.EventSessionEnded}:                                       {key: "session_ended"},
	{typ: otpd.EventSessionsEnded}:                                      {key: "sessions_ended"},
	{typ: otpd.EventSessionsEnded, reason: otpd.ReasonReported}:         {key: "sessions_ended_reported"},
	{typ: otpd.EventCodeDenied, reason: otpd.ReasonDisowned}:            {key: "code_denied_disowned"},
	{typ: otpd.EventPasswordSet, reason: otpd.ReasonChanged}:            {key: "password_set_changed"},
	{typ: otpd.EventPasswordRemoved}:                                    {key: "password_removed"},
	{typ: otpd.EventPasswordWrong}:                                      {key: "password_wrong"},
	{typ: otpd.EventPasswordWrong, reason: otpd.ReasonNotChecked}:       {key: "password_wrong_not_checked"},
	{typ: otpd.EventPasswordVerified}:                                   {key: "password_verified"},
	{typ: otpd.EventPasswordVerified, reason: otpd.ReasonCodeNeeded}:    {key: "password_verified_code_needed"},
	{typ: otpd.EventPasswordReset}:                                      {key: "password_reset"},
	{typ: otpd.EventLockedOut}:                                          {key: "locked_out"},
	{typ: otpd.EventDeviceForgotten}:                                    {key: "device_forgotten"},
	{typ: otpd.EventSteppedUp}:                                          {key: "stepped_up"},
	{typ: otpd.EventEmailChanged}:                                       {key: "email_changed"},
	{typ: otpd.EventEmailChangeUndone}:                                  {key: "email_change_undone"},
	{typ: otpd.EventRecoveryAdded}:                                      {key: "recovery_added"},
	{typ: otpd.EventRecoveryRemoved}:                                    {key: "recovery_removed"},
	{typ: otpd.EventUnderAttack}:                                        {key: "under_attack"},
	{typ: otpd.EventSettingsChanged, reason: otpd.ReasonCodeOn}:         {key: "settings_changed_code_sign_in_on"},
	{typ: otpd.EventSettingsChanged, reason: otpd.ReasonCodeOff}:        {key: "settings_changed_code_sign_in_off"},
	{typ: otpd.EventCodeRequested, reason: otpd.ReasonNoAccount}:        {noCode: otpd.ReasonNoAccount},
	{typ: otpd.EventCodeRequested, reason: otpd.ReasonHeldBack}:         {noCode: otpd.ReasonHeldBack},
	{typ: otpd.EventCodeRequested, reason: otpd.ReasonCodeOff}:          {noCode: otpd.ReasonCodeOff},
	{typ: otpd.EventCodeRefused, reason: otpd.ReasonRefused}:            {noCode: otpd.ReasonRefused},
	{typ: otpd.EventCodeRequested, reason: otpd.ReasonDisabled}:         {noCode: otpd.ReasonDisabled},
	{typ: otpd.EventAccountDisabled}:                                    {key: "account_disabled"},
	{typ: otpd.EventAdminSignedOut}:                                     {key: "admin_signed_out"},
	{typ: otpd.EventAccountUnlocked}:                                    {key: "account_unlocked"},
	{typ: otpd.EventAccountExported}:                                    {key: "account_exported"},
	{typ: otpd.EventCodeRequested}:                                      {key: "code_requested"},
	{typ: otpd.EventAppAuthorized}:                                      {key: "app_authorized"},
	{typ: otpd.EventAppRemoved}:                                         {key: "app_removed"},
	{typ: otpd.EventTokenReused, reason: otpd.ReasonCodeReplayed}:       {key: "token_reused_code"},
	{typ: otpd.EventTokenReused, reason: otpd.ReasonRefreshReused}:      {key: "token_reused_refresh"},

	{typ: otpd.EventMethodAdded, reason: otpd.ReasonTOTP}:             {key: "method_added_totp"},
	{typ: otpd.EventMethodAdded, reason: otpd.ReasonRecoveryCodes}:    {key: "method_added_recovery_codes"},
	{typ: otpd.EventMethodRemoved, reason: otpd.ReasonTOTP}:           {key: "method_removed_totp"},
	{typ: otpd.EventMethodRemoved, reason: otpd.ReasonRecoveryCodes}:  {key: "method_removed_recovery_codes"},
	{typ: otpd.EventFactorVerified, reason: otpd.ReasonTOTP}:          {key: "factor_verified_totp"},
	{typ: otpd.EventFactorVerified, reason: otpd.ReasonRecoveryCodes}: {key: "factor_verified_recovery_codes"},
	{typ: otpd.EventFactorWrong, reason: otpd.ReasonTOTP}:             {key: "factor_wrong_totp"},
	{typ: otpd.EventFactorWrong, reason: otpd.ReasonRecoveryCodes}:    {key: "factor_wrong_recovery_codes"},
	{typ: otpd.EventSessionStarted, reason: otpd.ReasonTOTP}:          {key: "session_started_totp"},
	{typ: otpd.EventSessionStarted, reason: otpd.ReasonRecoveryCodes}: {key: "session_started_recovery_codes"},
	{typ: otpd.EventSteppedUp, reason: otpd.ReasonTOTP}:               {key: "stepped_up_totp"},
	{typ: otpd.EventSteppedUp, reason: otpd.ReasonRecoveryCodes}:      {key: "stepped_up_recovery_codes"},
	{typ: otpd.EventCodeLocked, reason: otpd.ReasonTOTP}:              {key: "code_locked_totp"},
	{typ: otpd.EventCodeLocked, reason: otpd.ReasonRecoveryCodes}:     {key: "code_locked_recovery_codes"},
}

// words say the activity in one language.
type words struct{ l catalog.Lang }

// opt is key's message, or "" when the catalogue has none: an optional
// part of a case's words.
func (w words) opt(key string, args ...any) string {
	if !w.l.Has(key) {
		return ""
	}
	return w.l.T(key, args...)
}

// CodeDoes completes "a code to ..." for a code of purpose p, in l.
func CodeDoes(l catalog.Lang, p otpd.Purpose) string {
	return words{l}.opt("act.purpose." + string(p) + ".does")
}

// codeName is "A sign-in code" and the like; a purpose it does not know
// is a sign-in's.
func (w words) codeName(p otpd.Purpose) string {
	if s := w.opt("act.purpose." + string(p) + ".code"); s != "" {
		return s
	}
	return w.l.T("act.purpose.sign_in.code")
}

func (w words) noCode(r otpd.Reason) string { return w.l.T("act.nocode." + string(r)) }

// eventWords are the subject and the note of an event on its own line.
func (w words) eventWords(ev otpd.Event) (subject, note string) {
	subject = w.eventTitle(ev.Type)
	c := wordsFor(ev)
	prefix := "act.case." + c.key
	switch {
	case c.key != "" && w.l.Has(prefix+".subject"):
		subject = w.l.T(prefix + ".subject")
	case ev.Type == otpd.EventCodeRequested && ev.Resend:
		subject = w.l.T("act.requested_again", "Code", w.codeName(ev.Purpose))
	case ev.Type == otpd.EventCodeRequested, ev.Type == otpd.EventCodeRefused:
		subject = w.l.T("act.requested", "Code", w.codeName(ev.Purpose))
	}
	if c.noCode != "" {
		return subject, w.noCode(c.noCode)
	}
	about := ev.Concerns
	switch ev.Type {
	case otpd.EventPasswordWrong:
		about = w.opt("act.context." + about + ".where")
	case otpd.EventLockedOut:
		about = w.opt("act.context." + about + ".paused")
	}
	if c.key == "" {
		return subject, ""
	}
	if about != "" && w.l.Has(prefix+".about") {
		return subject, w.l.T(prefix+".about", "About", about)
	}
	return subject, w.opt(prefix + ".plain")
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

// Detail is an event in words on one line, in l, as the API gives it.
func Detail(l catalog.Lang, ev otpd.Event) string {
	subject, note := words{l}.eventWords(ev)
	if note == "" {
		return subject + "."
	}
	return subject + ". " + note
}

func (w words) eventTitle(t otpd.EventType) string {
	if title := w.opt("act.title." + string(t)); title != "" {
		return title
	}
	return string(t)
}
