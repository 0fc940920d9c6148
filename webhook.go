package otpd

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// WebhookType names an event as webhooks tell it to other systems.
type WebhookType string

const (
	// WebhookAccountCreated: a verified sign-up made an account.
	WebhookAccountCreated WebhookType = "account.created"
	// WebhookSessionStarted: the account signed in, with a code or a
	// password.
	WebhookSessionStarted WebhookType = "session.started"
	// WebhookCodeDenied: someone reported, with "this wasn't me", a code
	// they did not ask for.
	WebhookCodeDenied WebhookType = "security.code_denied"
	// WebhookLockout: failures from one context locked it out for a
	// while.
	WebhookLockout WebhookType = "security.lockout"
	// WebhookFlood: code requests from scattered networks marked the
	// account under attack.
	WebhookFlood WebhookType = "security.flood"
	// WebhookEmailChanged: the account moved to another address.
	WebhookEmailChanged WebhookType = "account.email_changed"
	// WebhookAppAuthorized: the owner let an app sign them in, or
	// widened what it may have.
	WebhookAppAuthorized WebhookType = "app.authorized"
	// WebhookAccountDisabled and WebhookAccountEnabled: an administrator
	// disabled the account, or enabled it again.
	WebhookAccountDisabled WebhookType = "account.disabled"
	WebhookAccountEnabled  WebhookType = "account.enabled"
	// WebhookAccountDeleted: an administrator erased the account; the
	// receiving app erases what it holds of the account too.
	WebhookAccountDeleted WebhookType = "account.deleted"
)

// webhookTable is the one table of what webhooks report: the event, the
// type it is told as, and what its data carries besides the account's
// ID. A new webhook is one line here. The data is the least a receiving
// app needs: the address only where the app learns it from the webhook
// (a new account, a new address), never a code, a token, an IP, a device
// or a place.
var webhookTable = []struct {
	event EventType
	typ   WebhookType
	data  func(ev Event, app WebhookApp, d *WebhookData)
}{
	{EventAccountCreated, WebhookAccountCreated, withEmail},
	{EventSessionStarted, WebhookSessionStarted, withMethod},
	{EventCodeDenied, WebhookCodeDenied, withDenial},
	{EventLockedOut, WebhookLockout, accountOnly},
	{EventUnderAttack, WebhookFlood, accountOnly},
	{EventEmailChanged, WebhookEmailChanged, withEmail},
	{EventAppAuthorized, WebhookAppAuthorized, withApp},
	{EventAccountDisabled, WebhookAccountDisabled, accountOnly},
	{EventAccountEnabled, WebhookAccountEnabled, accountOnly},
	{EventAccountDeleted, WebhookAccountDeleted, accountOnly},
}

func accountOnly(Event, WebhookApp, *WebhookData) {}

// withEmail carries the account's address: the new account's, or the one
// it moved to.
func withEmail(ev Event, _ WebhookApp, d *WebhookData) { d.Email = ev.Email.String() }

// withMethod says how the session was started.
func withMethod(ev Event, _ WebhookApp, d *WebhookData) {
	d.Method = "code"
	if ev.Reason == ReasonPassword {
		d.Method = "password"
	}
}

// withDenial says what the denied code was for and who reported it: the
// account's owner, or the owner of an address the account asked to
// confirm as its own (ReasonDisowned), which makes the account the
// suspect rather than the victim.
func withDenial(ev Event, _ WebhookApp, d *WebhookData) {
	d.Purpose = ev.Purpose
	d.ReportedBy = "account_owner"
	if ev.Reason == ReasonDisowned {
		d.ReportedBy = "address_owner"
	}
}

// withApp names the app by its client ID, and what it may have now.
func withApp(_ Event, app WebhookApp, d *WebhookData) { d.App, d.Scopes = app.ClientID, app.Scopes }

// WebhookTypes returns every type webhooks report, in the table's order.
func WebhookTypes() []WebhookType {
	ts := make([]WebhookType, len(webhookTable))
	for i, l := range webhookTable {
		ts[i] = l.typ
	}
	return ts
}

// WebhookEventType returns the event type a webhook type reports.
func WebhookEventType(t WebhookType) (EventType, bool) {
	for _, l := range webhookTable {
		if l.typ == t {
			return l.event, true
		}
	}
	return "", false
}

// WebhookApp is what an app.authorized webhook says of the app, which its
// event names only in words: the store passes it where it saves the
// grant.
type WebhookApp struct {
	ClientID string
	Scopes   []string
}

// Webhook is a webhook's payload, in the Standard Webhooks form.
type Webhook struct {
	Type      WebhookType `json:"type"`
	Timestamp time.Time   `json:"timestamp"`
	Data      WebhookData `json:"data"`
}

// WebhookData is what a webhook says of its event; each type fills its
// fields (see webhookTable) and leaves the others out.
type WebhookData struct {
	AccountID string `json:"account_id"`
	// Email is the account's address: the new account's
	// (account.created), or the one it moved to (account.email_changed).
	Email string `json:"email,omitempty"`
	// Method is how a session.started signed in: "code" or "password".
	Method string `json:"method,omitempty"`
	// Purpose is what a denied code was for; ReportedBy who denied it:
	// "account_owner" or "address_owner".
	Purpose    Purpose `json:"purpose,omitempty"`
	ReportedBy string  `json:"reported_by,omitempty"`
	// App and Scopes: the client ID of an authorized app and the scopes
	// it may have now.
	App    string   `json:"app,omitempty"`
	Scopes []string `json:"scopes,omitempty"`
}

// WebhookOf returns the webhook that reports ev, and false when no
// webhook reports its type, or when it concerns no account (a lockout of
// an address nobody has): every webhook is about an account, and names
// it. app is read for app.authorized only.
func WebhookOf(ev Event, app WebhookApp) (Webhook, bool) {
	if ev.AccountID == "" {
		return Webhook{}, false
	}
	for _, l := range webhookTable {
		if l.event == ev.Type {
			w := Webhook{Type: l.typ, Timestamp: ev.At.UTC(), Data: WebhookData{AccountID: ev.AccountID}}
			l.data(ev, app, &w.Data)
			return w, true
		}
	}
	return Webhook{}, false
}

// Body is the webhook's JSON, the bytes that are signed and sent.
func (w Webhook) Body() []byte {
	b, err := json.Marshal(w)
	if err != nil {
		panic(fmt.Sprintf("otpd: a Webhook always encodes: %v", err))
	}
	return b
}

// WebhookSubscriptions says which endpoints hear which events, by the
// endpoints' IDs: the store queues one delivery per endpoint subscribed
// to an event's type, in the transaction that records the event. Empty,
// the store writes nothing more than the event.
type WebhookSubscriptions map[EventType][]string

// WebhookState is where a queued webhook is in delivery.
type WebhookState string

const (
	WebhookQueued    WebhookState = "queued"
	WebhookDelivered WebhookState = "delivered"
	// WebhookFailed: the endpoint refused it for good (a 4xx), or it was
	// tried as often as the worker tries one. It stays, visible, until
	// retention deletes it.
	WebhookFailed WebhookState = "failed"
)

// WebhookDelivery is one webhook queued for one endpoint. ID is the
// webhook-id header, the same on every try, so that a receiver can tell a
// repeat; Body is the payload as queued, signed anew on each try.
type WebhookDelivery struct {
	ID          string
	Endpoint    string
	Type        WebhookType
	AccountID   string
	Body        []byte
	CreatedAt   time.Time
	NextAttempt time.Time
	Attempts    int
	State       WebhookState
	LastError   string
}

// WebhookStore keeps the webhooks to deliver, for the webhook worker. The
// webhooks are queued by the store itself, with their events (see
// WebhookSubscriptions).
type WebhookStore interface {
	// ClaimWebhooks hands out up to limit queued webhooks that are due
	// at now and hides them from other claims until now+lease, so that a
	// worker that dies mid-delivery has them tried again (at least once).
	ClaimWebhooks(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]WebhookDelivery, error)

	// RetryWebhook puts a claimed webhook back in the queue, due at next.
	RetryWebhook(ctx context.Context, id string, next time.Time, lastError string) error

	// FinishWebhook ends a webhook's delivery, delivered or failed. A
	// webhook whose delivery has ended already is not found.
	FinishWebhook(ctx context.Context, id string, state WebhookState, at time.Time, lastError string) error
}
