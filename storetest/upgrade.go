package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/internal/sqlschema"
)

// Schema is one database of a SQL store, as OlderSchema drives it.
type Schema struct {
	Status  func(ctx context.Context) (sqlschema.Status, error)
	Migrate func(ctx context.Context) ([]sqlschema.Migration, error)
	// Open opens the store on the database; for an older schema it
	// fails with a *sqlschema.SchemaOutdatedError (and returns no store).
	Open func(ctx context.Context) (otpd.Store, error)
	// AtVersion1 makes the database one that an otpd knowing only
	// migration 1 made, with Version1Rows in it.
	AtVersion1 func(t *testing.T)
}

// Version1Rows are rows as an otpd knowing only migration 1 wrote them:
// the account acct-1, ada@example.com; addresses keyed by lower-casing
// alone (mİke@ as mike@, a decomposed é kept decomposed); and a code
// request to a Gmail sub-address made at the epoch; and ada's events and
// session, with the detail words today's version wrote before events had
// typed fields.
var Version1Rows = append([]string{
	`INSERT INTO accounts (id, email, email_key, created_at) VALUES ('acct-1', 'ada@example.com', 'ada@example.com', 0)`,
	`INSERT INTO accounts (id, email, email_key, created_at) VALUES ('acct-2', 'm` + "\u0130" + `ke@example.com', 'mike@example.com', 0)`,
	`INSERT INTO accounts (id, email, email_key, created_at) VALUES ('acct-3', 'Jose` + "\u0301" + `@example.com', 'jose` + "\u0301" + `@example.com', 0)`,
	`INSERT INTO challenges (id, flow_id, purpose, email, email_key, account_id, code_mac, created_at, expires_at,
		max_attempts, status, ip, user_agent) VALUES ('ch-1', 'flow-1', 'sign_in', 'A.da+x@gmail.com', 'a.da+x@gmail.com',
		NULL, '', 0, 600000, 5, 'pending', '192.0.2.1', 'storetest')`,
	`INSERT INTO sessions (id, account_id, token_hash, created_at, last_seen_at, expires_at, ip, user_agent)
		VALUES ('sess-1', 'acct-1', 'token-1', 9000, 9000, 99999999999, '192.0.2.9', 'storetest')`,
}, detailRows...)

// detailRows are ada's events as details said them, oldest first, each
// with the typed fields migration 10 must give it.
var detailRows = func() []string {
	var rows []string
	for i, r := range olderEvents {
		rows = append(rows, fmt.Sprintf(`INSERT INTO events (id, type, at, account_id, email, email_key, flow_id, ip,
			user_agent, detail) VALUES ('old-%d', '%s', %d, 'acct-1', 'ada@example.com', 'ada@example.com', '%s',
			'192.0.2.9', 'storetest', '%s')`, i, r.want.Type, (i+1)*1000, r.flow, strings.ReplaceAll(r.detail, "'", "''")))
	}
	return rows
}()

var olderEvents = []struct {
	flow, detail string
	want         otpd.Event
}{
	{"flow-r", "password reset code requested", otpd.Event{Type: otpd.EventCodeRequested, Purpose: otpd.PurposeResetPassword}},
	{"flow-r", "new password reset code requested (resend)",
		otpd.Event{Type: otpd.EventCodeRequested, Purpose: otpd.PurposeResetPassword, Resend: true}},
	{"flow-r", "wrong code; 2 tries left", otpd.Event{Type: otpd.EventCodeWrong, Purpose: otpd.PurposeResetPassword}},
	{"flow-h", "sign-in code requested; held back: the account is under attack and the requester's device is unknown; no code was sent",
		otpd.Event{Type: otpd.EventCodeRequested, Purpose: otpd.PurposeSignIn, Reason: otpd.ReasonHeldBack}},
	{"flow-x", "code to confirm a recovery address requested; refused by the hourly limit; no code was sent",
		otpd.Event{Type: otpd.EventCodeRefused, Purpose: otpd.PurposeAddRecovery, Reason: otpd.ReasonRefused}},
	{"flow-x", "the owner of the address the code was sent to said they did not ask for it",
		otpd.Event{Type: otpd.EventCodeDenied, Purpose: otpd.PurposeAddRecovery, Reason: otpd.ReasonDisowned}},
	{"flow-n", "password reset asked for an address without an account; no code was sent",
		otpd.Event{Type: otpd.EventCodeRequested, Purpose: otpd.PurposeResetPassword, Reason: otpd.ReasonNoAccount}},
	{"flow-s", "sign-in code asked for, but code-only sign-in is off for this account; no code was sent",
		otpd.Event{Type: otpd.EventCodeRequested, Purpose: otpd.PurposeSignIn, Reason: otpd.ReasonCodeOff}},
	{"flow-s", "signed in with a code", otpd.Event{Type: otpd.EventSessionStarted, Purpose: otpd.PurposeSignIn}},
	{"", "signed in with a password", otpd.Event{Type: otpd.EventSessionStarted, Reason: otpd.ReasonPassword}},
	{"", "password changed", otpd.Event{Type: otpd.EventPasswordSet, Reason: otpd.ReasonChanged}},
	{"", "password correct; code required: new device, new country: NG",
		otpd.Event{Type: otpd.EventPasswordVerified, Reason: otpd.ReasonCodeNeeded, Concerns: "new device, new country: NG"}},
	{"", "password not checked: too many failures from this context",
		otpd.Event{Type: otpd.EventPasswordWrong, Reason: otpd.ReasonNotChecked, Concerns: "unfamiliar"}},
	{"", "familiar sign-ins locked out for 1m0s after 4 failures", otpd.Event{Type: otpd.EventLockedOut, Concerns: "familiar"}},
	{"", "device forgotten: Firefox on Linux", otpd.Event{Type: otpd.EventDeviceForgotten, Concerns: "Firefox on Linux"}},
	{"", "recovery address removed: a•••@example.org", otpd.Event{Type: otpd.EventRecoveryRemoved, Concerns: "a•••@example.org"}},
	{"", "sign-in address changed from a•••@example.com to a•••@example.net",
		otpd.Event{Type: otpd.EventEmailChanged, Concerns: "a•••@example.com to a•••@example.net"}},
	{"", "code-only sign-in turned off: a password and a code are needed",
		otpd.Event{Type: otpd.EventSettingsChanged, Reason: otpd.ReasonCodeOff}},
	{"", "signed out the sessions started from 198.51.100.9 after the reported code request",
		otpd.Event{Type: otpd.EventSessionsEnded, Reason: otpd.ReasonReported, Concerns: "198.51.100.9"}},
	{"", "signed out a session of Firefox on Linux from 192.0.2.4",
		otpd.Event{Type: otpd.EventSessionEnded, Concerns: "Firefox on Linux from 192.0.2.4"}},
}

// upgradedEvents checks the typed fields migration 10 gave the events
// older versions described in words, and the flow it gave their session.
func upgradedEvents(t *testing.T, s otpd.Store) {
	evs, err := s.Events(t.Context(), "acct-1", 0)
	if err != nil || len(evs) != len(olderEvents) {
		t.Fatalf("ada's events after the upgrade: %d, %v; want %d", len(evs), err, len(olderEvents))
	}
	for i, r := range olderEvents {
		got := evs[len(evs)-1-i]
		if got.Type != r.want.Type || got.Purpose != r.want.Purpose || got.Resend != r.want.Resend ||
			got.Reason != r.want.Reason || got.Concerns != r.want.Concerns {
			t.Errorf("%q became purpose %q, resend %v, reason %q, concerns %q; want %+v",
				r.detail, got.Purpose, got.Resend, got.Reason, got.Concerns, r.want)
		}
	}
	ss, err := s.Sessions(t.Context(), "acct-1")
	if err != nil || len(ss) != 1 || ss[0].FlowID != "flow-s" {
		t.Errorf("ada's session after the upgrade: %+v, %v; want the flow whose code started it", ss, err)
	}
}

// upgradedRows checks what the migrations made of Version1Rows.
func upgradedRows(t *testing.T, s otpd.Store) {
	ctx := t.Context()
	if a, err := s.AccountByID(ctx, "acct-1"); err != nil || a.Email.String() != "ada@example.com" {
		t.Errorf("the account made at version 1: %+v, %v", a, err)
	}
	if _, err := s.AccountByEmail(ctx, otpd.MustParseAddress("mike@example.com")); !errors.Is(err, otpd.ErrNotFound) {
		t.Errorf("mike@example.com finds %v: the look-alike mİke@'s account kept its old key", err)
	}
	if a, err := s.AccountByEmail(ctx, otpd.MustParseAddress("m\u0130ke@example.com")); err != nil || a.ID != "acct-2" {
		t.Errorf("mİke@example.com: %+v, %v, want acct-2", a, err)
	}
	if a, err := s.AccountByEmail(ctx, otpd.MustParseAddress("josé@example.com")); err != nil || a.ID != "acct-3" ||
		a.Email.String() != "José@example.com" {
		t.Errorf("josé@example.com: %+v, %v, want acct-3 spelt in NFC", a, err)
	}
	req := codeRequest("ada@googlemail.com", "", time.UnixMilli(1000))
	req.Limits = otpd.SendLimits{PerHour: 1}
	var le *otpd.LimitError
	if err := s.RequestCode(ctx, req); !errors.As(err, &le) {
		t.Errorf("a request to the mailbox of a version 1 request: %v, want refused by its cap", err)
	}
}

// OlderSchema checks that a database an older otpd made is refused, not
// upgraded behind the operator's back, and that Migrate upgrades it and
// keeps its data. The database starts empty.
func OlderSchema(t *testing.T, sc Schema) {
	ctx := t.Context()
	st, err := sc.Status(ctx)
	if err != nil || st.Version() != 0 || len(st.Pending()) != len(st.Known) {
		t.Fatalf("Status of an empty database: %+v, %v; want nothing applied", st, err)
	}
	sc.AtVersion1(t)

	s, err := sc.Open(ctx)
	var oe *sqlschema.SchemaOutdatedError
	if !errors.As(err, &oe) {
		if s != nil {
			s.Close()
		}
		t.Fatalf("Open of a version 1 schema: %v, want *SchemaOutdatedError", err)
	}
	devMailbox := func(name string) bool { return strings.HasSuffix(name, "_dev_mailbox_retention.sql") }
	if oe.Database != 1 || len(oe.Pending) != oe.Known-1 || !strings.HasPrefix(oe.Pending[0], "0002_") ||
		!slices.ContainsFunc(oe.Pending, devMailbox) {
		t.Errorf("SchemaOutdatedError %+v, want version 1 with the rest pending from 0002", oe)
	}

	applied, err := sc.Migrate(ctx)
	if err != nil || len(applied) != oe.Known-1 || applied[0].Version != 2 {
		t.Fatalf("Migrate: applied %v, %v; want every migration from 2", applied, err)
	}
	if again, err := sc.Migrate(ctx); err != nil || len(again) != 0 {
		t.Errorf("Migrate again: applied %v, %v; want nothing", again, err)
	}
	st, err = sc.Status(ctx)
	if err != nil || st.Version() != len(st.Known) || len(st.Pending()) != 0 || len(st.Applied) != len(st.Known) {
		t.Errorf("Status after Migrate: %+v, %v", st, err)
	}
	if s, err = sc.Open(ctx); err != nil {
		t.Fatalf("Open after Migrate: %v", err)
	}
	defer s.Close()
	upgradedRows(t, s)
	upgradedEvents(t, s)
	if _, err := s.DevMessages(ctx, otpd.Address{}, 0); err != nil {
		t.Errorf("DevMessages after the upgrade: %v", err)
	}
}

// ConcurrentOpen opens a new database from several goroutines at once,
// as several processes or nodes starting together do: each migration is
// applied once, none sees the schema half made, and all of them open it.
func ConcurrentOpen(t *testing.T, open func(ctx context.Context) (otpd.Store, error)) {
	const n = 8
	errs := make(chan error, n)
	for range n {
		go func() {
			s, err := open(t.Context())
			if err == nil {
				err = s.Close()
			}
			errs <- err
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Errorf("concurrent Open: %v", err)
		}
	}
	s, err := open(t.Context())
	if err != nil {
		t.Fatalf("Open after concurrent opens: %v", err)
	}
	defer s.Close()
	if _, err := s.AccountByID(t.Context(), "x"); !errors.Is(err, otpd.ErrNotFound) {
		t.Errorf("AccountByID after concurrent opens: %v, want ErrNotFound", err)
	}
}
