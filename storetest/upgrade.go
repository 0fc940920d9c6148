package storetest

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/internal/sqlstore"
)

// Schema is one database of a SQL store, as OlderSchema drives it.
type Schema struct {
	Status  func(ctx context.Context) (sqlstore.Status, error)
	Migrate func(ctx context.Context) ([]sqlstore.Migration, error)
	// Open opens the store on the database; for an older schema it
	// fails with a *sqlstore.SchemaOutdatedError (and returns no store).
	Open func(ctx context.Context) (otpd.Store, error)
	// AtVersion1 makes the database one that an otpd knowing only
	// migration 1 made, with Version1Rows in it.
	AtVersion1 func(t *testing.T)
}

// Version1Rows are rows as an otpd knowing only migration 1 wrote them:
// the account acct-1, ada@example.com; addresses keyed by lower-casing
// alone (mİke@ as mike@, a decomposed é kept decomposed); and a code
// request to a Gmail sub-address made at the epoch.
var Version1Rows = []string{
	`INSERT INTO accounts (id, email, email_key, created_at) VALUES ('acct-1', 'ada@example.com', 'ada@example.com', 0)`,
	`INSERT INTO accounts (id, email, email_key, created_at) VALUES ('acct-2', 'm` + "\u0130" + `ke@example.com', 'mike@example.com', 0)`,
	`INSERT INTO accounts (id, email, email_key, created_at) VALUES ('acct-3', 'Jose` + "\u0301" + `@example.com', 'jose` + "\u0301" + `@example.com', 0)`,
	`INSERT INTO challenges (id, flow_id, purpose, email, email_key, account_id, code_mac, created_at, expires_at,
		max_attempts, status, ip, user_agent) VALUES ('ch-1', 'flow-1', 'sign_in', 'A.da+x@gmail.com', 'a.da+x@gmail.com',
		NULL, '', 0, 600000, 5, 'pending', '192.0.2.1', 'storetest')`,
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
	var oe *sqlstore.SchemaOutdatedError
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
