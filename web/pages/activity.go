package pages

import (
	"net/http"

	"github.com/otpd/otpd/signin"
	"github.com/otpd/otpd/web/activity"
)

// activityPageEvents is how many events the activity page reads: months
// of an ordinary account, and enough that a campaign folds into one
// entry rather than pushing everything else off the page.
const activityPageEvents = 500

// activityView is activity.html's: the account's history by day.
type activityView struct {
	layout
	// Kind is the filter shown ("" for all), one of Kinds.
	Kind  string
	Kinds []activity.Kind
	Days  []activity.Day
}

// Activity is the account's history, of one kind when the URL asks.
func (p *Pages) Activity(w http.ResponseWriter, r *http.Request) {
	c, ok := p.pageCaller(w, r)
	if !ok {
		return
	}
	v := &activityView{layout: p.accountLayout("title.activity", c.Account())}
	kind, err := activity.ParseKind(r.URL.Query()["kind"])
	if err != nil {
		v.Title = "title.no_filter"
		p.renderError(w, r, "error.html", &v.layout, err)
		return
	}
	es, err := p.entries(r, c, activityPageEvents)
	if err != nil {
		p.renderError(w, r, "error.html", &v.layout, err)
		return
	}
	v.Kind, v.Kinds, v.Days = kind, activity.Kinds(p.lang(r, c.Account())), activity.ByDay(activity.OfKind(es, kind))
	p.render(w, r, http.StatusOK, "activity.html", v)
}

// entries reads the caller's newest events and campaigns as entries.
func (p *Pages) entries(r *http.Request, c signin.Caller, limit int) ([]activity.Entry, error) {
	ctx := r.Context()
	evs, err := p.Engine.Activity(ctx, c, limit)
	if err != nil {
		return nil, err
	}
	cs, err := p.Engine.Campaigns(ctx, c)
	if err != nil {
		return nil, err
	}
	pol := p.Engine.Policy()
	h := activity.History{Events: evs, Campaigns: cs, Now: p.Clock.Now(), Lifetime: pol.CodeLifetime,
		MaxAttempts: pol.MaxAttempts, CurrentFlow: c.Session().FlowID, Lang: p.lang(r, c.Account())}
	return h.Entries(), nil
}
