package signin

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/otpd/otpd"
)

// FloodPolicy recognises a flood of code requests for one account: from
// Networks distinct networks (/24, /64) within Window, the account is
// under attack for For, renewed while the flood goes on. Zero Networks
// turns it off.
type FloodPolicy struct {
	Networks int
	Window   time.Duration
	For      time.Duration
}

// maxFloodLookback bounds the requests read to count networks: the caps
// per address keep them few anyway.
const maxFloodLookback = 200

// heldBack reports whether a code for acct must be held back: the account
// is under attack and the requester is not on one of its remembered
// devices. The request is added to the campaign.
func (e *Engine) heldBack(ctx context.Context, acct otpd.Account, w who) (bool, error) {
	now := e.now()
	if !acct.UnderAttackAt(now) || w.known {
		return false, nil
	}
	if err := e.store.CountCampaign(ctx, acct.ID, now, w.place.String(), now.Add(e.policy.Flood.For)); err != nil {
		return false, internal("count campaign", err)
	}
	return true, nil
}

// detectFlood starts a campaign when the account's recent code requests
// come from enough distinct networks, and tells the owner, once.
func (e *Engine) detectFlood(ctx context.Context, acct otpd.Account, challengeID string, r Requester) error {
	p := e.policy.Flood
	now := e.now()
	if p.Networks == 0 || acct.UnderAttackAt(now) {
		return nil
	}
	ips, err := e.store.RequestIPs(ctx, acct.Email, now.Add(-p.Window), maxFloodLookback)
	if err != nil {
		return internal("recent requests", err)
	}
	nets := map[string]bool{}
	var places []string
	for _, ip := range ips {
		nets[network(ip)] = true
		places = otpd.AddPlace(places, e.locate(ip).String())
	}
	if len(nets) < p.Networks {
		return nil
	}
	c := otpd.Campaign{ID: newID(), AccountID: acct.ID, StartedAt: now, LastAt: now, Until: now.Add(p.For),
		Requests: len(ips), Places: places}
	return e.startCampaign(ctx, acct, c, len(nets), challengeID, r)
}

// startCampaign records the campaign, which keeps its count, places and
// end; its event names the places.
func (e *Engine) startCampaign(ctx context.Context, acct otpd.Account, c otpd.Campaign, nets int, challengeID string, r Requester) error {
	ev := otpd.Event{ID: newID(), Type: otpd.EventUnderAttack, At: c.StartedAt, AccountID: acct.ID, Email: acct.Email,
		IP: r.IP, UserAgent: r.UserAgent, Place: e.locate(r.IP).String(), Concerns: strings.Join(c.Places, "; ")}
	notice, err := e.attackNotice(acct, c, challengeID, r)
	if err != nil {
		return err
	}
	err = e.store.StartCampaign(ctx, c, ev, notice)
	if errors.Is(err, otpd.ErrCampaignOn) {
		return nil
	}
	if err != nil {
		return internal("start campaign", err)
	}
	e.log.Warn("account under attack: code requests from scattered networks", "account", acct.ID, "requests", c.Requests, "networks", nets)
	e.queued()
	return nil
}

// attackNotice tells the owner of a campaign, once: how many requests,
// from where, and that codes for strangers are held back. Its link reports
// the request that revealed the campaign.
func (e *Engine) attackNotice(acct otpd.Account, c otpd.Campaign, challengeID string, r Requester) (*otpd.OutboxMessage, error) {
	data, err := json.Marshal(otpd.MessageData{
		Purpose: otpd.PurposeSignIn, RequestedAt: c.StartedAt, ExpiresAt: c.Until, IP: r.IP, UserAgent: r.UserAgent,
		Place: e.locate(r.IP).String(), Lang: acct.Language, DenyToken: e.codes.DenyToken(challengeID),
		Requests: c.Requests, Places: c.Places,
	})
	if err != nil {
		return nil, internal("encode notice", err)
	}
	return e.sealedNotice(challengeID, otpd.MessageUnderAttack, acct.Email, data)
}
