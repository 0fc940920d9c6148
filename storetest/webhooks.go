package storetest

import (
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/otpd/otpd"
)

var webhookTests = []test{
	{"QueuedWithEvent", testWebhooksQueuedWithEvent},
	{"NoneUnsubscribed", testWebhooksNoneUnsubscribed},
	{"RolledBackWithEvent", testWebhooksRolledBack},
	{"AppAuthorized", testWebhooksAppAuthorized},
	{"Administration", testWebhooksAdministration},
	{"LeaseExpires", testWebhooksLease},
	{"Retry", testWebhooksRetry},
	{"Finish", testWebhooksFinish},
	{"Prune", testWebhooksPrune},
	{"ConcurrentClaims", testWebhooksConcurrentClaims},
}

// subscriber is a store that queues webhooks for its events; the SQL
// stores are.
type subscriber interface {
	SetWebhooks(otpd.WebhookSubscriptions)
}

func subscribe(t *testing.T, s otpd.Store, subs otpd.WebhookSubscriptions) {
	t.Helper()
	sub, ok := s.(subscriber)
	if !ok {
		t.Fatalf("%T takes no webhook subscriptions", s)
	}
	sub.SetWebhooks(subs)
}

func claimHooks(t *testing.T, s otpd.Store, now time.Time, lease time.Duration) []otpd.WebhookDelivery {
	t.Helper()
	ws, err := s.ClaimWebhooks(t.Context(), now, lease, 1000)
	if err != nil {
		t.Fatalf("ClaimWebhooks at %s: %v", now.Sub(t0), err)
	}
	return ws
}

// payload decodes a queued webhook's body.
func payload(t *testing.T, w otpd.WebhookDelivery) otpd.Webhook {
	t.Helper()
	var p otpd.Webhook
	if err := json.Unmarshal(w.Body, &p); err != nil {
		t.Fatalf("body of %s is not a webhook: %v\n%s", w.ID, err, w.Body)
	}
	return p
}

// A sign-up queues, with its events, one webhook per subscribed endpoint
// and type, carrying the event's time and the account.
func testWebhooksQueuedWithEvent(t *testing.T, s otpd.Store) {
	subscribe(t, s, otpd.WebhookSubscriptions{
		otpd.EventAccountCreated: {"crm", "audit"},
		otpd.EventSessionStarted: {"audit"},
	})
	acct, _ := signUp(t, s, "wendy@example.com", t0)
	got := claimHooks(t, s, t0, time.Minute)
	want := map[string]bool{"crm account.created": true, "audit account.created": true, "audit session.started": true}
	ids := map[string]bool{}
	for _, w := range got {
		key := w.Endpoint + " " + string(w.Type)
		if !want[key] {
			t.Errorf("unexpected webhook %s", key)
		}
		delete(want, key)
		if ids[w.ID] || !strings.HasPrefix(w.ID, "msg_") {
			t.Errorf("webhook ID %q repeated or not msg_", w.ID)
		}
		ids[w.ID] = true
		p := payload(t, w)
		if p.Type != w.Type || !p.Timestamp.Equal(t0) || p.Data.AccountID != acct.ID || w.AccountID != acct.ID {
			t.Errorf("%s: payload %+v, account %q; want type %s at %v of %s", key, p, w.AccountID, w.Type, t0, acct.ID)
		}
		if wantEmail := w.Type == otpd.WebhookAccountCreated; (p.Data.Email == acct.Email.String()) != wantEmail {
			t.Errorf("%s carries email %q", key, p.Data.Email)
		}
		if w.Attempts != 1 || w.State != otpd.WebhookQueued {
			t.Errorf("%s: attempts %d, state %s; want 1, queued", key, w.Attempts, w.State)
		}
	}
	for key := range want {
		t.Errorf("no webhook %s", key)
	}
}

// Without a subscription to an event's type, recording it queues
// nothing.
func testWebhooksNoneUnsubscribed(t *testing.T, s otpd.Store) {
	signUp(t, s, "nina@example.com", t0)
	subscribe(t, s, otpd.WebhookSubscriptions{otpd.EventCodeDenied: {"crm"}})
	signUp(t, s, "nora@example.com", t0)
	if got := claimHooks(t, s, t0.Add(time.Hour), time.Minute); len(got) != 0 {
		t.Errorf("%d webhooks queued without a subscription", len(got))
	}
}

// A transaction that fails after recording its event queues no webhook:
// the two are written together or not at all.
func testWebhooksRolledBack(t *testing.T, s otpd.Store) {
	subscribe(t, s, otpd.WebhookSubscriptions{otpd.EventAppAuthorized: {"crm"}})
	other, otherSess := signUp(t, s, "ida@example.com", t0)
	acct, sess := signUp(t, s, "jon@example.com", t0)
	taken := withNotice(completion(createAuth(t, s, newAuthRequest("other-app", t0)), otherSess, true, t0), other.Email)
	complete(t, s, taken)
	c := completion(createAuth(t, s, newAuthRequest("app", t0)), sess, true, t0)
	c.Notice = appNotice(acct.Email, t0)
	c.Notice.ID = taken.Notice.ID
	if _, err := s.CompleteAuthRequest(t.Context(), c); err == nil {
		t.Fatal("completed with a notice whose ID is taken")
	}
	got := claimHooks(t, s, t0, time.Minute)
	if len(got) != 1 || got[0].AccountID != other.ID {
		t.Fatalf("webhooks %+v, want only the completed request's, of %s", got, other.ID)
	}
}

// app.authorized names the app by its client ID, with the scopes it may
// have now, which its event has only in words.
func testWebhooksAppAuthorized(t *testing.T, s otpd.Store) {
	subscribe(t, s, otpd.WebhookSubscriptions{otpd.EventAppAuthorized: {"crm"}})
	acct, sess := signUp(t, s, "ava@example.com", t0)
	complete(t, s, completion(createAuth(t, s, newAuthRequest("app", t0, "openid")), sess, true, t0))
	complete(t, s, completion(createAuth(t, s, newAuthRequest("app", t0.Add(time.Minute), "openid", "email")), sess, true, t0.Add(time.Minute)))
	got := claimHooks(t, s, t0.Add(time.Minute), time.Minute)
	if len(got) != 2 {
		t.Fatalf("%d webhooks, want 2 (grant, widening)", len(got))
	}
	for i, scopes := range [][]string{{"openid"}, {"openid", "email"}} {
		d := payload(t, got[i]).Data
		if d.AccountID != acct.ID || d.App != "app" || !slices.Equal(d.Scopes, scopes) || d.Email != "" {
			t.Errorf("webhook %d data %+v, want app with %v of %s and no address", i, d, scopes, acct.ID)
		}
	}
}

// A claimed webhook is hidden until its lease ends, then handed out again
// with the same ID and its attempts counted.
func testWebhooksLease(t *testing.T, s otpd.Store) {
	subscribe(t, s, otpd.WebhookSubscriptions{otpd.EventSessionStarted: {"crm"}})
	signUp(t, s, "lea@example.com", t0)
	first := claimHooks(t, s, t0, time.Minute)
	if len(first) != 1 {
		t.Fatalf("%d webhooks, want 1", len(first))
	}
	if again := claimHooks(t, s, t0.Add(59*time.Second), time.Minute); len(again) != 0 {
		t.Errorf("claimed again within the lease: %d", len(again))
	}
	after := claimHooks(t, s, t0.Add(time.Minute), time.Minute)
	if len(after) != 1 || after[0].ID != first[0].ID || after[0].Attempts != 2 || string(after[0].Body) != string(first[0].Body) {
		t.Errorf("after the lease: %+v, want %s again, attempt 2, same body", after, first[0].ID)
	}
}

// A retried webhook is due at the time given, with the reason kept.
func testWebhooksRetry(t *testing.T, s otpd.Store) {
	subscribe(t, s, otpd.WebhookSubscriptions{otpd.EventSessionStarted: {"crm"}})
	signUp(t, s, "rita@example.com", t0)
	w := claimHooks(t, s, t0, time.Hour)[0]
	if err := s.RetryWebhook(t.Context(), w.ID, t0.Add(5*time.Second), "status 500"); err != nil {
		t.Fatal(err)
	}
	if got := claimHooks(t, s, t0.Add(4*time.Second), time.Hour); len(got) != 0 {
		t.Errorf("claimed before it is due: %d", len(got))
	}
	got := claimHooks(t, s, t0.Add(5*time.Second), time.Hour)
	if len(got) != 1 || got[0].ID != w.ID || got[0].LastError != "status 500" || got[0].Attempts != 2 {
		t.Errorf("retried webhook %+v", got)
	}
	wantNotFound(t, s.RetryWebhook(t.Context(), "msg_nope", t0, ""), "retry an unknown webhook")
}

// A finished webhook is never handed out again, and finishes once.
func testWebhooksFinish(t *testing.T, s otpd.Store) {
	subscribe(t, s, otpd.WebhookSubscriptions{otpd.EventAccountCreated: {"crm"}, otpd.EventSessionStarted: {"crm"}})
	signUp(t, s, "fay@example.com", t0)
	ws := claimHooks(t, s, t0, time.Second)
	if len(ws) != 2 {
		t.Fatalf("%d webhooks, want 2", len(ws))
	}
	if err := s.FinishWebhook(t.Context(), ws[0].ID, otpd.WebhookDelivered, t0, ""); err != nil {
		t.Fatal(err)
	}
	if err := s.FinishWebhook(t.Context(), ws[1].ID, otpd.WebhookFailed, t0, "status 410"); err != nil {
		t.Fatal(err)
	}
	if got := claimHooks(t, s, t0.Add(time.Hour), time.Second); len(got) != 0 {
		t.Errorf("finished webhooks claimed again: %+v", got)
	}
	wantNotFound(t, s.FinishWebhook(t.Context(), ws[0].ID, otpd.WebhookDelivered, t0, ""), "finish a webhook twice")
	wantNotFound(t, s.RetryWebhook(t.Context(), ws[1].ID, t0, ""), "retry a failed webhook")
	if err := s.FinishWebhook(t.Context(), ws[0].ID, otpd.WebhookQueued, t0, ""); err == nil {
		t.Error("finished a webhook as queued")
	}
}

// Retention deletes a webhook whose delivery ended long enough ago, and
// never one still queued.
func testWebhooksPrune(t *testing.T, s otpd.Store) {
	subscribe(t, s, otpd.WebhookSubscriptions{otpd.EventAccountCreated: {"crm"}, otpd.EventSessionStarted: {"crm"}})
	signUp(t, s, "pia@example.com", t0)
	ws := claimHooks(t, s, t0, time.Second)
	if err := s.FinishWebhook(t.Context(), ws[0].ID, otpd.WebhookFailed, t0, "status 404"); err != nil {
		t.Fatal(err)
	}
	req := otpd.PruneRequest{Now: t0.Add(day), Challenges: 2 * day}
	if res := prune(t, s, req); res.Webhooks != 0 {
		t.Errorf("pruned %d webhooks before their age", res.Webhooks)
	}
	req.Now = t0.Add(3 * day)
	if res := prune(t, s, req); res.Webhooks != 1 {
		t.Errorf("pruned %d webhooks, want the failed one", res.Webhooks)
	}
	if got := claimHooks(t, s, t0.Add(3*day), time.Second); len(got) != 1 || got[0].ID != ws[1].ID {
		t.Errorf("queued webhook after pruning: %+v, want %s", got, ws[1].ID)
	}
}

// Workers claiming at once each take different webhooks, and together all.
func testWebhooksConcurrentClaims(t *testing.T, s otpd.Store) {
	subscribe(t, s, otpd.WebhookSubscriptions{otpd.EventSessionStarted: {"crm"}})
	const accounts, workers = 12, 4
	for i := range accounts {
		signUp(t, s, newID("cc")+"@example.com", t0.Add(time.Duration(i)*time.Millisecond))
	}
	var (
		mu   sync.Mutex
		seen = map[string]int{}
		wg   sync.WaitGroup
	)
	for range workers {
		wg.Go(func() {
			ws, err := s.ClaimWebhooks(t.Context(), t0.Add(time.Second), time.Minute, 3)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			for _, w := range ws {
				seen[w.ID]++
			}
		})
	}
	wg.Wait()
	for id, n := range seen {
		if n != 1 {
			t.Errorf("%s claimed %d times", id, n)
		}
	}
	rest := claimHooks(t, s, t0.Add(time.Second), time.Minute)
	if len(seen)+len(rest) != accounts {
		t.Errorf("%d claimed together and %d after, want %d in all", len(seen), len(rest), accounts)
	}
}

// An administrator's disabling and deletion reach the apps; a deletion
// drops the account's other webhooks, whose bodies may hold its address,
// and leaves only account.deleted, which carries nothing but the ID.
func testWebhooksAdministration(t *testing.T, s otpd.Store) {
	subscribe(t, s, otpd.WebhookSubscriptions{
		otpd.EventAccountCreated:  {"crm"},
		otpd.EventAccountDisabled: {"crm"},
		otpd.EventAccountDeleted:  {"crm"},
	})
	acct, _ := signUp(t, s, "odile@example.com", t0)
	kept, _ := signUp(t, s, "kept@example.com", t0)
	at := t0.Add(time.Minute)
	if _, _, err := s.SetDisabled(t.Context(), otpd.DisableRequest{AccountID: acct.ID, Disabled: true,
		Event: otpd.Event{Type: otpd.EventAccountDisabled, AccountID: acct.ID, Email: acct.Email, At: at}}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteAccount(t.Context(), acct.ID, at.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, w := range claimHooks(t, s, at.Add(time.Hour), time.Minute) {
		types = append(types, w.AccountID[:4]+" "+string(w.Type))
		if w.AccountID != acct.ID {
			continue
		}
		if p := payload(t, w); p.Data.AccountID != acct.ID || p.Data.Email != "" || strings.Contains(string(w.Body), "odile") {
			t.Errorf("%s of the deleted account: %s", w.Type, w.Body)
		}
		if w.Type != otpd.WebhookAccountDeleted {
			t.Errorf("%s of the deleted account outlives it", w.Type)
		}
	}
	slices.Sort(types)
	want := []string{acct.ID[:4] + " account.deleted", kept.ID[:4] + " account.created"}
	slices.Sort(want)
	if !slices.Equal(types, want) {
		t.Errorf("webhooks %v, want %v", types, want)
	}
}
