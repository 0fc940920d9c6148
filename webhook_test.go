package otpd_test

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/otpd/otpd"
)

// Each reported event becomes its type with the data the table gives it,
// and nothing more: no code, token, IP, device or place, and the address
// only where an app learns it from the webhook.
func TestWebhookOf(t *testing.T) {
	at := time.Date(2026, 12, 7, 22, 0, 0, 0, time.FixedZone("CET", 3600))
	base := otpd.Event{ID: "ev", At: at, AccountID: "acct-1", Email: otpd.MustParseAddress("ada@example.com"),
		FlowID: "flow-1", IP: "203.0.113.9", UserAgent: "Firefox", Place: "Lagos, Nigeria", Concerns: "Example App"}
	app := otpd.WebhookApp{ClientID: "example-app", Scopes: []string{"openid", "email"}}
	tests := []struct {
		typ    otpd.EventType
		reason otpd.Reason
		want   string
	}{
		{otpd.EventAccountCreated, "", `{"type":"account.created","timestamp":"2026-12-07T21:00:00Z","data":{"account_id":"acct-1","email":"ada@example.com"}}`},
		{otpd.EventSessionStarted, "", `{"type":"session.started","timestamp":"2026-12-07T21:00:00Z","data":{"account_id":"acct-1","method":"code"}}`},
		{otpd.EventSessionStarted, otpd.ReasonPassword, `{"type":"session.started","timestamp":"2026-12-07T21:00:00Z","data":{"account_id":"acct-1","method":"password"}}`},
		{otpd.EventCodeDenied, "", `{"type":"security.code_denied","timestamp":"2026-12-07T21:00:00Z","data":{"account_id":"acct-1","purpose":"sign_in","reported_by":"account_owner"}}`},
		{otpd.EventCodeDenied, otpd.ReasonDisowned, `{"type":"security.code_denied","timestamp":"2026-12-07T21:00:00Z","data":{"account_id":"acct-1","purpose":"sign_in","reported_by":"address_owner"}}`},
		{otpd.EventLockedOut, "", `{"type":"security.lockout","timestamp":"2026-12-07T21:00:00Z","data":{"account_id":"acct-1"}}`},
		{otpd.EventUnderAttack, "", `{"type":"security.flood","timestamp":"2026-12-07T21:00:00Z","data":{"account_id":"acct-1"}}`},
		{otpd.EventEmailChanged, "", `{"type":"account.email_changed","timestamp":"2026-12-07T21:00:00Z","data":{"account_id":"acct-1","email":"ada@example.com"}}`},
		{otpd.EventAppAuthorized, "", `{"type":"app.authorized","timestamp":"2026-12-07T21:00:00Z","data":{"account_id":"acct-1","app":"example-app","scopes":["openid","email"]}}`},
		{otpd.EventAccountDisabled, "", `{"type":"account.disabled","timestamp":"2026-12-07T21:00:00Z","data":{"account_id":"acct-1"}}`},
		{otpd.EventAccountEnabled, "", `{"type":"account.enabled","timestamp":"2026-12-07T21:00:00Z","data":{"account_id":"acct-1"}}`},
		{otpd.EventAccountDeleted, "", `{"type":"account.deleted","timestamp":"2026-12-07T21:00:00Z","data":{"account_id":"acct-1"}}`},
	}
	for _, tt := range tests {
		ev := base
		ev.Type, ev.Reason, ev.Purpose = tt.typ, tt.reason, otpd.PurposeSignIn
		w, ok := otpd.WebhookOf(ev, app)
		if !ok {
			t.Errorf("%s: no webhook", tt.typ)
			continue
		}
		if got := string(w.Body()); got != tt.want {
			t.Errorf("%s %s:\n got %s\nwant %s", tt.typ, tt.reason, got, tt.want)
		}
		var back otpd.Webhook
		if err := json.Unmarshal(w.Body(), &back); err != nil || back.Type != w.Type {
			t.Errorf("%s: body does not read back: %v", tt.typ, err)
		}
	}
	for _, typ := range []otpd.EventType{otpd.EventCodeRequested, otpd.EventCodeWrong, otpd.EventPasswordSet} {
		if _, ok := otpd.WebhookOf(otpd.Event{Type: typ, AccountID: "acct-1"}, app); ok {
			t.Errorf("%s is reported, and was not meant to be", typ)
		}
	}
	if _, ok := otpd.WebhookOf(otpd.Event{Type: otpd.EventLockedOut, Email: base.Email}, app); ok {
		t.Error("a lockout of an address without an account is reported")
	}
}

// Every webhook type maps back to one event type, and none twice.
func TestWebhookTypes(t *testing.T) {
	types := otpd.WebhookTypes()
	var events []otpd.EventType
	for _, wt := range types {
		ev, ok := otpd.WebhookEventType(wt)
		if !ok || slices.Contains(events, ev) {
			t.Errorf("%s: event %q, %t (or repeated)", wt, ev, ok)
		}
		events = append(events, ev)
	}
	if _, ok := otpd.WebhookEventType("account.exploded"); ok {
		t.Error("an unknown type maps to an event")
	}
}
