package activity

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/catalog"
)

// Each case has words in the catalogue, its about-words take what the
// event concerns, and each case belongs to a type the activity knows.
func TestEventCaseWords(t *testing.T) {
	cat := catalog.MustLoad()
	for c, w := range eventCases {
		if !en.Has("act.title." + string(c.typ)) {
			t.Errorf("words for unknown type %s", c.typ)
		}
		if w.noCode != "" {
			if !en.Has("act.nocode." + string(w.noCode)) {
				t.Errorf("case %+v: no words for %s", c, w.noCode)
			}
			continue
		}
		prefix := "act.case." + w.key
		if !en.Has(prefix+".subject") && !en.Has(prefix+".plain") && !en.Has(prefix+".about") {
			t.Errorf("case %+v has no words", c)
		}
		if m := cat.Message(catalog.Source, prefix+".about"); m != nil && !slices.Equal(catalog.Placeholders(m), []string{"About"}) {
			t.Errorf("case %+v: %q must take what it concerns", c, m.Other)
		}
		if m := cat.Message(catalog.Source, prefix+".plain"); m != nil && len(catalog.Placeholders(m)) > 0 {
			t.Errorf("case %+v: plain words %q take a placeholder", c, m.Other)
		}
	}
}

func TestEventWords(t *testing.T) {
	for _, tc := range []struct {
		ev            otpd.Event
		subject, note string
	}{
		{otpd.Event{Type: otpd.EventSessionStarted}, "Signed in with a code", ""},
		{otpd.Event{Type: otpd.EventSessionStarted, Reason: otpd.ReasonPassword}, "Signed in with a password", ""},
		{otpd.Event{Type: otpd.EventSessionStarted, Purpose: otpd.PurposeResetPassword}, "Signed in with the new password's reset code", ""},
		{otpd.Event{Type: otpd.EventPasswordSet, Reason: otpd.ReasonChanged}, "Password changed", ""},
		{otpd.Event{Type: otpd.EventPasswordSet}, "Password set", ""},
		{otpd.Event{Type: otpd.EventPasswordWrong, Concerns: "unfamiliar"}, "Wrong password entered",
			"It came from a device the account does not know."},
		{otpd.Event{Type: otpd.EventLockedOut, Concerns: "confirming"}, "Sign-ins paused after too many failures",
			"Paused: codes confirming a new address."},
		{otpd.Event{Type: otpd.EventPasswordVerified, Reason: otpd.ReasonCodeNeeded, Concerns: "new device"},
			"Password entered correctly", "A code was needed as well: new device."},
		{otpd.Event{Type: otpd.EventCodeRequested, Purpose: otpd.PurposeResetPassword, Resend: true},
			"A password reset code was requested again", ""},
		{otpd.Event{Type: otpd.EventCodeRequested, Purpose: otpd.PurposeSignIn, Concerns: "a•••@example.org"},
			"A sign-in code was requested", "It was sent to the recovery address a•••@example.org."},
		{otpd.Event{Type: otpd.EventCodeRequested, Purpose: otpd.PurposeResetPassword, Reason: otpd.ReasonNoAccount},
			"A password reset code was requested", en.T("act.nocode.no_account")},
		{otpd.Event{Type: otpd.EventCodeRefused, Purpose: otpd.PurposeStepUp, Reason: otpd.ReasonRefused},
			"A code to confirm a change to your account was requested", en.T("act.nocode.refused")},
		{otpd.Event{Type: otpd.EventSettingsChanged, Reason: otpd.ReasonCodeOff}, "Sign-in settings changed",
			"Code-only sign-in was turned off: a password and a code are needed."},
		{otpd.Event{Type: otpd.EventDeviceForgotten}, "Device forgotten", ""},
		{otpd.Event{Type: otpd.EventSessionStarted, Reason: otpd.ReasonTOTP}, "Signed in with a password and an authenticator app", ""},
		{otpd.Event{Type: otpd.EventFactorVerified, Reason: otpd.ReasonRecoveryCodes, Purpose: otpd.PurposeSignIn},
			"Recovery code used", "It cannot be used again."},
		{otpd.Event{Type: otpd.EventMethodAdded, Reason: otpd.ReasonRecoveryCodes}, "New recovery codes made",
			"Any codes made before them no longer work."},
		{otpd.Event{Type: otpd.EventSteppedUp, Reason: otpd.ReasonTOTP}, "Confirmed it was you with an authenticator app",
			"Before a sensitive change."},
	} {
		subject, note := (words{en}).eventWords(tc.ev)
		if subject != tc.subject || note != tc.note {
			t.Errorf("%+v reads %q, %q; want %q, %q", tc.ev, subject, note, tc.subject, tc.note)
		}
	}
}

// Every event type the API documents has plain words on the account page,
// and the page has words for no type the API leaves out: the two lists
// are kept in step by hand, so this catches one left behind.
func TestEventTitlesMatchOpenAPI(t *testing.T) {
	documented := documentedTypes(t)
	for _, typ := range documented {
		if !en.Has("act.title." + string(typ)) {
			t.Errorf("event type %s has no title", typ)
		}
	}
	for _, k := range catalog.MustLoad().Keys(catalog.Source) {
		if typ, ok := strings.CutPrefix(k, "act.title."); ok && !slices.Contains(documented, otpd.EventType(typ)) {
			t.Errorf("event type %s is not in the OpenAPI enum", typ)
		}
	}
}

// documentedTypes are the event types the OpenAPI document lists.
func documentedTypes(t *testing.T) []otpd.EventType {
	t.Helper()
	var doc struct {
		Components struct {
			Schemas struct {
				Event struct {
					Properties struct {
						Type struct {
							Enum []otpd.EventType `json:"enum"`
						} `json:"type"`
					} `json:"properties"`
				} `json:"Event"`
			} `json:"schemas"`
		} `json:"components"`
	}
	openAPI, err := os.ReadFile("../openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(openAPI, &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Components.Schemas.Event.Properties.Type.Enum
}
