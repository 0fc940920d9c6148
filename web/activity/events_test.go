package activity

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/otpd/otpd"
)

// Each case's words take what the event concerns in one place, and each
// case belongs to a type the activity knows.
func TestEventCaseWords(t *testing.T) {
	for c, w := range eventCases {
		if eventTitles[c.typ] == "" {
			t.Errorf("words for unknown type %s", c.typ)
		}
		if w.subject == "" && w.plain == "" && w.about == "" {
			t.Errorf("case %+v has no words", c)
		}
		if w.about != "" && strings.Count(w.about, "%s") != 1 {
			t.Errorf("case %+v: %q must take what it concerns once", c, w.about)
		}
		if strings.Contains(w.plain, "%") {
			t.Errorf("case %+v: plain words %q hold a verb", c, w.plain)
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
			"A password reset code was requested", noCodeWords[otpd.ReasonNoAccount]},
		{otpd.Event{Type: otpd.EventCodeRefused, Purpose: otpd.PurposeStepUp, Reason: otpd.ReasonRefused},
			"A code to confirm a change to your account was requested", noCodeWords[otpd.ReasonRefused]},
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
		subject, note := eventWords(tc.ev)
		if subject != tc.subject || note != tc.note {
			t.Errorf("%+v reads %q, %q; want %q, %q", tc.ev, subject, note, tc.subject, tc.note)
		}
	}
}

// Every event type the API documents has plain words on the account page,
// and the page has words for no type the API leaves out: the two lists
// are kept in step by hand, so this catches one left behind.
func TestEventTitlesMatchOpenAPI(t *testing.T) {
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
	documented := doc.Components.Schemas.Event.Properties.Type.Enum
	for _, typ := range documented {
		if eventTitles[typ] == "" {
			t.Errorf("event type %s has no title", typ)
		}
	}
	for typ := range eventTitles {
		if !slices.Contains(documented, typ) {
			t.Errorf("event type %s is not in the OpenAPI enum", typ)
		}
	}
}
