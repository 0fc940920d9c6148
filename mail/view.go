package mail

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/useragent"
)

// Code lengths the composer accepts (passcode makes codes within them),
// and bounds on what is shown from the request, which comes from whoever
// asked for the code, who must not be able to fill the message.
const (
	minCodeLen = 6
	maxCodeLen = 10
	maxShown   = 200
)

// maxPlacesShown is how many of a campaign's places an under-attack
// notice names; the rest are counted ("and 15 more places"), since a
// botnet brings many and a list of twenty cities buries the point.
const maxPlacesShown = 5

// passwordChanges are the values of MessageData.Change a password notice
// can report. The templates word each one differently, so any other value
// would silently read as one of them.
var passwordChanges = []string{"set", "changed", "removed", "reset"}

// view is what the templates see. Every string in it is already cleaned of
// control characters; html/template escapes it for the HTML part. Code is
// empty in a message that carries none, DenyURL when there is no link,
// Change outside a password notice, NewEmail outside an address-change
// notice, Requests, Places, MorePlaces and PlacesCapped outside an
// under-attack notice, and App, Scopes and SeesAddress outside an app
// notice.
//
// In an app notice, App is the app's name, Scopes the scopes it was
// granted that the templates word (appScopes, in that order), and
// SeesAddress whether the address is among them. It has no link: the
// reader is told to open otpd themselves.
//
// ExpiresAt is when a code expires, when an address-change notice's undo
// link stops working, or, in an under-attack notice, until when codes for
// unknown devices are held back; Minutes is a code's lifetime and Days the
// undo link's. In a notice ExpiresAt is empty and Days zero when the data
// does not say, for the templates to leave the deadline out.
//
// In an under-attack notice, Requests is how many code requests revealed
// the campaign, Places the first few distinct places they came from,
// MorePlaces how many more there were, and PlacesCapped whether the
// campaign stopped recording places (otpd.MaxCampaignPlaces), so that
// MorePlaces is only a lower bound. Places is empty when none is known.
type view struct {
	Lang, Subject, Product, To, Purpose, Code string
	CodeInSubject                             bool
	ExpiresAt, RequestedAt                    string
	Minutes, Days                             int
	Place, Browser, OS, IP, DenyURL, Change   string
	NewEmail                                  string
	Requests, MorePlaces                      int
	Places                                    []string
	PlacesCapped                              bool
	App                                       string
	Scopes                                    []string
	SeesAddress                               bool
	// Site is the server's public URL, where the reader of a disabled
	// account's notice finds whom to ask.
	Site string
	// Ref is the message's reference, and CheckAt the address of the
	// page that checks it, written to be typed ("login.example.com/check"),
	// never a link: a message that says "check me here" with a link is
	// what a forgery says too. Ref is "" in a message without one.
	Ref, CheckAt string
}

// view checks d for a message of m's kind and turns it into what the
// templates see, in the language l. Errors never contain the code.
func (c *Composer) view(l langTemplates, m otpd.OutboxMessage, d otpd.MessageData) (view, error) {
	// Every kind is worded by its purpose (the no-account message says
	// whether someone tried to sign in or to reset a password), so an
	// unknown one is a bug upstream, not something to guess around.
	if !d.Purpose.Valid() {
		return view{}, fmt.Errorf("unknown purpose %q", clean(string(d.Purpose), maxShown))
	}
	browser, system := useragent.Parse(d.UserAgent)
	v := view{
		Lang: l.dir, Product: clean(c.Product, maxShown), To: m.To.String(), CodeInSubject: c.CodeInSubject,
		Purpose: string(d.Purpose), RequestedAt: formatTime(d.RequestedAt, l.layout), Browser: browser, OS: system,
		Place: clean(d.Place, maxShown), IP: clean(d.IP, maxShown), Site: clean(c.PublicURL, maxShown),
		Ref: clean(m.Ref, maxShown), CheckAt: c.checkAt(),
	}
	// Only a message about a challenge of an account gets the deny link.
	// The no-account message has none though its data holds a token:
	// there is no code to cancel and no account whose activity would keep
	// the report, so the link's page would promise what it cannot do. In an
	// address-change notice the same link undoes the change.
	switch m.Kind {
	case otpd.MessageCode:
		if err := codeView(&v, d, l.layout); err != nil {
			return view{}, err
		}
		v.DenyURL = c.denyURL(d.DenyToken)
	case otpd.MessagePasswordChanged:
		if !slices.Contains(passwordChanges, d.Change) {
			return view{}, fmt.Errorf("unknown password change %q, want one of %q", clean(d.Change, maxShown), passwordChanges)
		}
		v.Change = d.Change
		v.DenyURL = c.denyURL(d.DenyToken)
	case otpd.MessageEmailChanged:
		if err := emailChangedView(&v, d, l.layout); err != nil {
			return view{}, err
		}
		v.DenyURL = c.denyURL(d.DenyToken)
	case otpd.MessageUnderAttack:
		if err := underAttackView(&v, d, l.layout); err != nil {
			return view{}, err
		}
		v.DenyURL = c.denyURL(d.DenyToken)
	case otpd.MessageMethodChanged:
		// No deny link, as for an app: what undoes it is done on otpd.
		if !slices.Contains(otpd.MethodChanges, d.Change) {
			return view{}, fmt.Errorf("unknown method change %q, want one of %q", clean(d.Change, maxShown), otpd.MethodChanges)
		}
		v.Change = d.Change
	case otpd.MessageAppAuthorized:
		// No deny link, whatever the data holds: there is no code to
		// cancel, and what undoes it is removing the app, which the
		// reader does on otpd, reached the way they always reach it.
		if err := appView(&v, d); err != nil {
			return view{}, err
		}
	}
	return v, nil
}

// appScopes are the scopes an app notice words, in the order it lists
// them; config allows no others.
var appScopes = []string{otpd.ScopeOpenID, otpd.ScopeEmail, otpd.ScopeOfflineAccess}

// appView fills in what only an app notice says. The app and what it can
// see are its point: a notice without the app's name, or without a scope
// it can word, would tell the owner nothing they could act on, so it is
// refused rather than sent vague.
func appView(v *view, d otpd.MessageData) error {
	v.App = clean(d.App, maxShown)
	if v.App == "" {
		return errors.New("app_authorized notice without the app (MessageData.App)")
	}
	for _, sc := range appScopes {
		if slices.Contains(d.Scopes, sc) {
			v.Scopes = append(v.Scopes, sc)
		}
	}
	if len(v.Scopes) == 0 {
		return fmt.Errorf("app_authorized notice without what the app can see (MessageData.Scopes is %q, want some of %q)",
			cleanAll(d.Scopes), appScopes)
	}
	v.SeesAddress = slices.Contains(v.Scopes, otpd.ScopeEmail)
	return nil
}

// cleanAll cleans each of ss, for an error message.
func cleanAll(ss []string) []string {
	out := make([]string, 0, len(ss))
	for _, s := range ss {
		out = append(out, clean(s, maxShown))
	}
	return out
}

// underAttackView fills in what only an under-attack notice says. The
// number of requests is its point, and a campaign is at least one request,
// so a notice without one is a bug upstream and is refused rather than
// sent saying "0 codes". Places are optional (without GeoIP none is
// known), and so is the deadline: the notice matters more than the date,
// and one not after the start is no deadline at all.
func underAttackView(v *view, d otpd.MessageData, layout string) error {
	if d.Requests < 1 {
		return fmt.Errorf("under_attack notice without its code requests (MessageData.Requests is %d, want 1 or more)", d.Requests)
	}
	v.Requests = d.Requests
	for _, p := range d.Places {
		if p = clean(p, maxShown); p == "" {
			continue
		}
		if len(v.Places) < maxPlacesShown {
			v.Places = append(v.Places, p)
		} else {
			v.MorePlaces++
		}
	}
	v.PlacesCapped = len(d.Places) >= otpd.MaxCampaignPlaces
	if !d.ExpiresAt.IsZero() && d.ExpiresAt.After(d.RequestedAt) {
		v.ExpiresAt = formatTime(d.ExpiresAt, layout)
	}
	return nil
}

// emailChangedView fills in what only an address-change notice says. The
// new address is its point: without it the notice could not tell the old
// address where the account went, so it is refused rather than sent
// vague. A missing undo deadline only leaves the deadline out, since the
// notice and its link matter more than the date.
func emailChangedView(v *view, d otpd.MessageData, layout string) error {
	v.NewEmail = clean(d.NewEmail, maxShown)
	if v.NewEmail == "" {
		return errors.New("email_changed notice without the new address (MessageData.NewEmail)")
	}
	if d.RequestedAt.IsZero() || d.ExpiresAt.IsZero() {
		return nil
	}
	if days := int(d.ExpiresAt.Sub(d.RequestedAt).Round(24*time.Hour) / (24 * time.Hour)); days >= 1 {
		v.Days = days
		v.ExpiresAt = formatTime(d.ExpiresAt, layout)
	}
	return nil
}

// codeView fills in what only a code message says.
func codeView(v *view, d otpd.MessageData, layout string) error {
	code, err := groupCode(d.Code)
	if err != nil {
		return err
	}
	if d.ExpiresAt.IsZero() || d.RequestedAt.IsZero() {
		return errors.New("code message without request or expiry time")
	}
	v.Code = code
	v.ExpiresAt = formatTime(d.ExpiresAt, layout)
	v.Minutes = int(d.ExpiresAt.Sub(d.RequestedAt).Round(time.Minute) / time.Minute)
	return nil
}

// denyURL is the "This wasn't me" link for a deny token (in an
// address-change notice, "Undo this change"), or "" without one, for the
// templates to leave the link out.
func (c *Composer) denyURL(token string) string {
	if token == "" {
		return ""
	}
	return strings.TrimRight(c.PublicURL, "/") + "/deny/" + url.PathEscape(token)
}

// CheckPath is the path of the page that checks a message.
const CheckPath = "/check"

// checkAt is the check page's address as a person types it: the public
// URL's host and path without the scheme, which a mail client would turn
// into a link.
func (c *Composer) checkAt() string {
	u, err := url.Parse(c.PublicURL)
	if err != nil || u.Host == "" {
		return strings.TrimRight(c.PublicURL, "/") + CheckPath
	}
	return u.Host + strings.TrimRight(u.Path, "/") + CheckPath
}

// groupCode spaces a code of 6 to 10 digits into groups of three, which
// people read and type back more reliably than a run of digits: "123 456",
// "123 456 789". A single digit left at the end joins the group before it
// ("123 4567", "123 456 7890") because a lone digit is easy to miss. The
// error never repeats the code.
func groupCode(code string) (string, error) {
	if len(code) < minCodeLen || len(code) > maxCodeLen {
		return "", fmt.Errorf("code is not %d to %d digits long", minCodeLen, maxCodeLen)
	}
	if strings.Trim(code, "0123456789") != "" {
		return "", errors.New("code is not all digits")
	}
	var groups []string
	for ; len(code) > 4; code = code[3:] {
		groups = append(groups, code[:3])
	}
	return strings.Join(append(groups, code), " "), nil
}

// formatTime writes an instant in UTC with a language's layout; "" when
// unknown, for the template to say so in its words.
func formatTime(t time.Time, layout string) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(layout)
}

// clean makes a string from outside safe to put in a text mail: it must
// not break lines (and so forge paragraphs or headers), carry invalid
// UTF-8, or run on. HTML escaping is left to html/template.
func clean(s string, limit int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		// Format characters include bidi overrides, which could make
		// the text read differently from what it is.
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) > limit {
		s = string([]rune(s)[:limit]) + "…"
	}
	return s
}
