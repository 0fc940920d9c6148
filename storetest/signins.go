package storetest

import (
	"bytes"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/otpd/otpd"
)

// What a password sign-in keeps: its session, where it came from, and the
// guard that makes the next ones prove themselves with a code.
var signInTests = []test{
	{"StartSession", testStartSession},
	{"RecordSignIn", testRecordSignIn},
	{"RecordSignInConcurrently", testRecordSignInConcurrently},
	{"VerifyRecordsSignIn", testVerifyRecordsSignIn},
	{"RaiseGuard", testRaiseGuard},
	{"EventPlace", testEventPlace},
	{"CodeEventPlace", testCodeEventPlace},
}

var (
	lagos = otpd.Place{Country: "NG", CountryName: "Nigeria", City: "Lagos", Lat: 6.4541, Lon: 3.3947, HasCoords: true}
	accra = otpd.Place{Country: "GH", CountryName: "Ghana"}
)

func testStartSession(t *testing.T, s otpd.Store) {
	acct, _ := signUp(t, s, "wanda@example.com", t0)
	at := t0.Add(time.Hour)
	dev := device(acct, t0, lagos)
	if err := s.SaveDevice(t.Context(), dev, nil); err != nil {
		t.Fatalf("SaveDevice: %v", err)
	}
	id := newID("session")
	want := otpd.Session{
		ID: id, AccountID: acct.ID, TokenHash: tokenHash(id), CreatedAt: at, LastSeenAt: at, ExpiresAt: at.Add(24 * time.Hour),
		IP: "198.51.100.7", UserAgent: "storetest browser", Place: lagos.String(), DeviceID: dev.ID,
	}
	evs := []otpd.Event{accountEvent(acct, otpd.EventPasswordVerified, at), accountEvent(acct, otpd.EventSessionStarted, at)}
	if err := s.StartSession(t.Context(), want, evs); err != nil {
		t.Fatalf("StartSession: %v", err)
	}
	got := stored(t, s, want)
	if got.ID != want.ID || got.AccountID != acct.ID || !bytes.Equal(got.TokenHash, want.TokenHash) ||
		!got.CreatedAt.Equal(at) || !got.LastSeenAt.Equal(at) || !got.ExpiresAt.Equal(want.ExpiresAt) ||
		!got.EndedAt.IsZero() || !got.SteppedUpAt.IsZero() || got.IP != want.IP || got.UserAgent != want.UserAgent ||
		got.Place != want.Place || got.DeviceID != want.DeviceID {
		t.Errorf("session\n got %+v\nwant %+v", got, want)
	}
	for _, ev := range evs {
		if e := findEvent(t, s, acct.ID, ev.ID); e.Type != ev.Type || e.Place != ev.Place || !e.At.Equal(at) {
			t.Errorf("event %+v, want %+v", e, ev)
		}
	}
}

// Each sign-in's place becomes the account's last, and its country a
// known one; a sign-in from an unknown place knows no new country.
func testRecordSignIn(t *testing.T, s otpd.Store) {
	acct, _ := signUp(t, s, "xena@example.com", t0)
	if got := account(t, s, acct.ID); !got.LastSignInAt.IsZero() || got.LastPlace.Known() || got.KnowsCountry("NG") {
		t.Errorf("new account: last sign-in %v from %q, knows NG %t; want none", got.LastSignInAt, got.LastPlace, got.KnowsCountry("NG"))
	}
	for i, step := range []struct {
		place     otpd.Place
		countries []string
	}{
		{lagos, []string{"NG"}},
		{accra, []string{"GH", "NG"}},
		{lagos, []string{"GH", "NG"}},
		{otpd.Place{}, []string{"GH", "NG"}},
	} {
		at := t0.Add(time.Duration(i+1) * time.Hour)
		if err := s.RecordSignIn(t.Context(), acct.ID, at, step.place); err != nil {
			t.Fatalf("RecordSignIn: %v", err)
		}
		got := account(t, s, acct.ID)
		if !got.LastSignInAt.Equal(at) || got.LastPlace != step.place {
			t.Errorf("sign-in %d: last at %v from %+v, want %v from %+v", i+1, got.LastSignInAt, got.LastPlace, at, step.place)
		}
		if cs := slices.Sorted(slices.Values(got.Countries)); !slices.Equal(cs, step.countries) {
			t.Errorf("sign-in %d: countries %v, want %v", i+1, cs, step.countries)
		}
	}
	got := account(t, s, acct.ID)
	if !got.KnowsCountry("NG") || !got.KnowsCountry("GH") || got.KnowsCountry("FR") {
		t.Errorf("countries %v: want NG and GH known, FR not", got.Countries)
	}
	wantNotFound(t, s.RecordSignIn(t.Context(), "no-such-account", t0, lagos), "RecordSignIn of an unknown account")
}

// Sign-ins from several countries at once each leave their country known:
// none is lost to another's update.
func testRecordSignInConcurrently(t *testing.T, s otpd.Store) {
	acct, _ := signUp(t, s, "yusuf@example.com", t0)
	countries := []string{"DE", "FR", "GH", "KE", "NG", "PT", "SN", "ZA"}
	errs := make([]error, len(countries))
	var wg sync.WaitGroup
	for i, c := range countries {
		wg.Go(func() {
			errs[i] = s.RecordSignIn(t.Context(), acct.ID, t0.Add(time.Hour), otpd.Place{Country: c})
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("concurrent RecordSignIn: %v", err)
	}
	if got := slices.Sorted(slices.Values(account(t, s, acct.ID).Countries)); !slices.Equal(got, countries) {
		t.Errorf("countries %v after concurrent sign-ins, want %v", got, countries)
	}
}

// A code verified with SignedInFrom records the sign-in with the session
// it starts; a wrong code records none.
func testVerifyRecordsSignIn(t *testing.T, s otpd.Store) {
	acct, _ := signUp(t, s, "yves@example.com", t0)
	at := t0.Add(time.Hour)
	ch := mustRequest(t, s, codeRequest(acct.Email.String(), acct.ID, at))
	wrong := verifyRequest(ch, wrongCode, at)
	wrong.SignedInFrom = &lagos
	if res := mustVerify(t, s, wrong); res.Outcome != otpd.OutcomeWrong {
		t.Fatalf("wrong code: outcome %s, want wrong", res.Outcome)
	}
	if got := account(t, s, acct.ID); !got.LastSignInAt.IsZero() || got.KnowsCountry("NG") {
		t.Errorf("after a wrong code: last sign-in %v, knows NG %t; want none", got.LastSignInAt, got.KnowsCountry("NG"))
	}
	right := verifyRequest(ch, rightCode, at)
	right.SignedInFrom = &lagos
	if res := mustVerify(t, s, right); res.Outcome != otpd.OutcomeVerified {
		t.Fatalf("right code: outcome %s, want verified", res.Outcome)
	}
	if got := account(t, s, acct.ID); !got.LastSignInAt.Equal(at) || got.LastPlace != lagos || !got.KnowsCountry("NG") {
		t.Errorf("after the right code: last sign-in %v from %+v, knows NG %t; want %v from Lagos", got.LastSignInAt, got.LastPlace, got.KnowsCountry("NG"), at)
	}
}

// A guard only ever lasts longer: a later report of an unasked-for code
// must not be shortened by an earlier one that arrives after it.
func testRaiseGuard(t *testing.T, s otpd.Store) {
	acct, _ := signUp(t, s, "zora@example.com", t0)
	if got := account(t, s, acct.ID); !got.GuardUntil.IsZero() || got.GuardedAt(t0) {
		t.Errorf("new account guarded until %v", got.GuardUntil)
	}
	for _, step := range []struct{ raise, want time.Duration }{
		{2 * time.Hour, 2 * time.Hour},
		{time.Hour, 2 * time.Hour},
		{3 * time.Hour, 3 * time.Hour},
	} {
		if err := s.RaiseGuard(t.Context(), acct.ID, t0.Add(step.raise)); err != nil {
			t.Fatalf("RaiseGuard: %v", err)
		}
		got := account(t, s, acct.ID)
		if want := t0.Add(step.want); !got.GuardUntil.Equal(want) {
			t.Errorf("raised to %s: guarded until %v, want %v", step.raise, got.GuardUntil, want)
		}
	}
	got := account(t, s, acct.ID)
	if !got.GuardedAt(t0.Add(3*time.Hour-time.Millisecond)) || got.GuardedAt(t0.Add(3*time.Hour)) {
		t.Errorf("guard until %v: want it raised just before and lowered at its end", got.GuardUntil)
	}
	wantNotFound(t, s.RaiseGuard(t.Context(), "no-such-account", t0), "RaiseGuard of an unknown account")
}

func testEventPlace(t *testing.T, s otpd.Store) {
	acct, _ := signUp(t, s, "abel@example.com", t0)
	want := accountEvent(acct, otpd.EventPasswordWrong, t0.Add(time.Hour))
	want.FlowID = newID("flow")
	if err := s.RecordEvent(t.Context(), want); err != nil {
		t.Fatalf("RecordEvent: %v", err)
	}
	got := findEvent(t, s, acct.ID, want.ID)
	if got.Type != want.Type || !got.At.Equal(want.At) || got.AccountID != want.AccountID || got.Email != want.Email ||
		got.FlowID != want.FlowID || got.IP != want.IP || got.UserAgent != want.UserAgent ||
		got.Place != want.Place || got.Purpose != want.Purpose || got.Resend != want.Resend || got.Reason != want.Reason || got.Concerns != want.Concerns {
		t.Errorf("event\n got %+v\nwant %+v", got, want)
	}
}

// The events of a code carry the requester's place, for the owner to see
// where a request or a sign-in came from.
func testCodeEventPlace(t *testing.T, s otpd.Store) {
	acct, _ := signUp(t, s, "bea@example.com", t0)
	req := codeRequest(acct.Email.String(), acct.ID, t0.Add(time.Hour))
	req.Event.Place = accra.String()
	ch := mustRequest(t, s, req)
	vr := verifyRequest(ch, rightCode, t0.Add(time.Hour+time.Minute))
	vr.Event.Place = lagos.String()
	mustVerify(t, s, vr)
	if e := findEvent(t, s, acct.ID, req.Event.ID); e.Place != accra.String() {
		t.Errorf("request's event place %q, want %q", e.Place, accra.String())
	}
	verified := 0
	for _, e := range events(t, s, acct.ID) {
		if !e.At.Equal(vr.Now) {
			continue
		}
		verified++
		if e.Place != lagos.String() {
			t.Errorf("%s event place %q, want %q", e.Type, e.Place, lagos.String())
		}
	}
	if verified != 2 {
		t.Errorf("%d events of the verify, want %s and %s", verified, otpd.EventCodeVerified, otpd.EventSessionStarted)
	}
}
