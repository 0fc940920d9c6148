package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/otpd/otpd"
)

var campaignTests = []test{
	{"StartOnce", testCampaignStartOnce},
	{"StartConcurrently", testCampaignStartConcurrently},
	{"Count", testCampaignCount},
	{"RequestIPs", testRequestIPs},
}

func campaign(acct otpd.Account, at time.Time) otpd.Campaign {
	return otpd.Campaign{ID: newID("campaign"), AccountID: acct.ID, StartedAt: at, LastAt: at,
		Until: at.Add(24 * time.Hour), Requests: 3, Places: []string{"Lagos, Nigeria", "Sydney, Australia"}}
}

// startCampaign starts c with its notice, naming the latest challenge of
// the account's sign-up as the one that revealed it.
func startCampaign(t *testing.T, s otpd.Store, acct otpd.Account, ch otpd.Challenge, c otpd.Campaign) (otpd.Event, *otpd.OutboxMessage, error) {
	t.Helper()
	ev := accountEvent(acct, otpd.EventUnderAttack, c.StartedAt)
	n := notice(acct, ch.ID, c.StartedAt)
	return ev, n, s.StartCampaign(t.Context(), c, ev, n)
}

func testCampaignStartOnce(t *testing.T, s otpd.Store) {
	acct, _ := signUp(t, s, "dora@example.com", t0)
	ch := mustRequest(t, s, codeRequest("dora@example.com", acct.ID, t0.Add(time.Hour)))
	c := campaign(acct, t0.Add(time.Hour))
	ev, n, err := startCampaign(t, s, acct, ch, c)
	if err != nil {
		t.Fatal(err)
	}
	got := account(t, s, acct.ID)
	if got.Campaign.ID != c.ID || !got.Campaign.Until.Equal(c.Until) || !got.UnderAttackAt(c.StartedAt) {
		t.Errorf("account's campaign %+v, want %s until %v", got.Campaign, c.ID, c.Until)
	}
	findEvent(t, s, acct.ID, ev.ID)
	wantNotice(t, s, c.StartedAt, n)
	_, _, err = startCampaign(t, s, acct, ch, campaign(acct, c.StartedAt.Add(time.Minute)))
	if !errors.Is(err, otpd.ErrCampaignOn) {
		t.Errorf("a second campaign while one is on: %v, want ErrCampaignOn", err)
	}
	if n := countEvents(t, s, acct.ID, otpd.EventUnderAttack); n != 1 {
		t.Errorf("%d under_attack events, want 1", n)
	}
	if _, _, err := startCampaign(t, s, acct, ch, campaign(acct, c.Until)); err != nil {
		t.Errorf("a campaign after the last ended: %v", err)
	}
}

// However many requests reveal a flood at once, the owner is told once.
func testCampaignStartConcurrently(t *testing.T, s otpd.Store) {
	acct, _ := signUp(t, s, "ezra@example.com", t0)
	ch := mustRequest(t, s, codeRequest("ezra@example.com", acct.ID, t0.Add(time.Hour)))
	var wg sync.WaitGroup
	errs := make(chan error, 10)
	for range 10 {
		wg.Go(func() {
			c := campaign(acct, t0.Add(time.Hour))
			errs <- s.StartCampaign(t.Context(), c, accountEvent(acct, otpd.EventUnderAttack, c.StartedAt), notice(acct, ch.ID, c.StartedAt))
		})
	}
	wg.Wait()
	close(errs)
	started := 0
	for err := range errs {
		switch {
		case err == nil:
			started++
		case !errors.Is(err, otpd.ErrCampaignOn):
			t.Errorf("StartCampaign: %v", err)
		}
	}
	if started != 1 {
		t.Errorf("%d campaigns started, want 1", started)
	}
}

func testCampaignCount(t *testing.T, s otpd.Store) {
	acct, _ := signUp(t, s, "fay@example.com", t0)
	ch := mustRequest(t, s, codeRequest("fay@example.com", acct.ID, t0.Add(time.Hour)))
	c := campaign(acct, t0.Add(time.Hour))
	if _, _, err := startCampaign(t, s, acct, ch, c); err != nil {
		t.Fatal(err)
	}
	later := c.StartedAt.Add(10 * time.Minute)
	for i := range otpd.MaxCampaignPlaces + 5 {
		place := fmt.Sprintf("City %d", i%(otpd.MaxCampaignPlaces+3))
		if err := s.CountCampaign(t.Context(), acct.ID, later, place, later.Add(24*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.CountCampaign(t.Context(), acct.ID, later, "Lagos, Nigeria", later.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	cs, err := s.Campaigns(t.Context(), acct.ID)
	if err != nil || len(cs) != 1 {
		t.Fatalf("Campaigns = %d, %v", len(cs), err)
	}
	got := cs[0]
	if got.Requests != c.Requests+otpd.MaxCampaignPlaces+6 || !got.LastAt.Equal(later) || !got.Until.Equal(later.Add(24*time.Hour)) {
		t.Errorf("campaign %+v after the held-back requests", got)
	}
	if len(got.Places) != otpd.MaxCampaignPlaces || got.Places[0] != "Lagos, Nigeria" {
		t.Errorf("places %q, want at most %d, each once, first seen first", got.Places, otpd.MaxCampaignPlaces)
	}
	if a := account(t, s, acct.ID); !a.Campaign.Until.Equal(later.Add(24 * time.Hour)) {
		t.Errorf("the account's attack ends %v, want it moved to %v", a.Campaign.Until, later.Add(24*time.Hour))
	}
	other, _ := signUp(t, s, "gus@example.com", t0)
	wantNotFound(t, s.CountCampaign(t.Context(), other.ID, later, "x", later), "CountCampaign without a campaign")
}

func testRequestIPs(t *testing.T, s otpd.Store) {
	acct, _ := signUp(t, s, "hal@example.com", t0)
	for i, ip := range []string{"198.51.100.1", "203.0.113.2", "192.0.2.3"} {
		req := codeRequest("HAL@example.com", acct.ID, t0.Add(time.Duration(i+1)*time.Minute))
		req.Challenge.IP = ip
		mustRequest(t, s, req)
	}
	ips, err := s.RequestIPs(t.Context(), otpd.MustParseAddress("hal@example.com"), t0.Add(2*time.Minute), 10)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(ips) != "[192.0.2.3 203.0.113.2]" {
		t.Errorf("RequestIPs = %v, want the two since, newest first", ips)
	}
	if ips, _ := s.RequestIPs(t.Context(), acct.Email, t0, 1); len(ips) != 1 {
		t.Errorf("limit 1 gave %d", len(ips))
	}
}
