package pages

import (
	"html/template"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/catalog"
	"github.com/otpd/otpd/msgcheck"
	"github.com/otpd/otpd/signin"
	"github.com/otpd/otpd/web/activity"
)

// Every template runs with its view: a field a template names that its
// view lacks fails here, not in front of a person. The views are filled
// so that every branch that reads a field is taken.
func TestEveryTemplateRunsWithItsView(t *testing.T) {
	at := time.Date(2026, 3, 3, 14, 2, 0, 0, time.UTC)
	acct := otpd.Account{ID: "a1", Email: otpd.MustParseAddress("ada@example.com"),
		RecoveryEmail: otpd.MustParseAddress("ada@example.org"), CreatedAt: at}
	l := layout{Title: "title.app_sign_in_to", TitleApp: "Notes", Error: "E", Notice: "notice.new_code", DevMailbox: true, Account: acct, Credit: Credit{"C", "https://c.example/"},
		Return: "https://app.example.com/x?y=z", ReturnOrigin: "https://app.example.com",
		App: &appView{Name: "Notes", Logo: "https://app.example.com/logo.png"}}
	access := appAccessView{ClientID: "notes", App: &appView{Name: "Notes"}, Receives: []string{"scope.openid", "scope.email"}, GrantedAt: at, LastUsedAt: at}
	entry := activity.Entry{Kind: "codes", Subject: "S", Where: "W", Device: "D", At: at, IP: "198.51.100.9",
		Request: true, Unused: true, FlowID: "f1", Reportable: true}
	flow := signin.FlowState{Flow: signin.Flow{ID: "f1", ExpiresAt: at, ResendAfter: at}, Email: acct.Email}
	code := func(purpose otpd.Purpose) *codeView {
		flow := flow
		flow.Purpose = purpose
		return &codeView{layout: l, Flow: flow, ResendIn: 3, Digits: 9, PasswordMin: 12, Reasons: []string{"R"},
			Base: "/flows/", Restart: "/sign-in", ToRecovery: true}
	}
	ch := otpd.Challenge{Purpose: otpd.PurposeChangeEmail, Email: otpd.MustParseAddress("new@example.com"), CreatedAt: at}
	views := map[string]view{
		"activity.html": &activityView{layout: l, Kind: "codes", Kinds: activity.Kinds(catalog.MustLoad().Lang("en")),
			Days: activity.ByDay([]activity.Entry{entry})},
		"apps.html":                &appsView{layout: l, Apps: []appAccessView{access, {ClientID: "n2", App: &appView{Name: "N2"}}}},
		"consent.html":             &consentView{layout: l, ID: "r1", Receives: []string{"scope.email"}},
		"end_session.html":         &endSessionView{layout: l, AppName: "Notes", Fields: []hiddenField{{"state", "s"}}},
		"remove_app.html":          &removeAppView{layout: l, App: access},
		"address.html":             &addressView{layout: l, Form: "recovery", Email: "x@example.com"},
		"address_code.html":        code(otpd.PurposeAddRecovery),
		"code_sign_in.html":        &l,
		"denied.html":              &deniedView{layout: l, Challenge: ch, Undo: true, Closed: true},
		"deny.html":                &denyView{layout: l, Token: "t", Challenge: ch, Undo: true},
		"error.html":               &l,
		"flow.html":                code(otpd.PurposeSignIn),
		"forgot.html":              &forgotView{layout: l, Email: "x@example.com"},
		"home.html":                &homeView{layout: l, UnderAttack: true, Unused: &activity.UnusedNotice{Count: 2, Places: "P"}, Recent: []activity.Entry{entry}, Devices: []deviceView{{Device: otpd.Device{ID: "d1", Name: "N"}, Current: true}}, SessionCount: 2},
		"mailbox.html":             &mailboxView{layout: l, Email: "x@example.com", Messages: []otpd.Email{{MessageID: "m", Subject: "S", Text: "T", Date: at}}},
		"password.html":            &passwordView{layout: l, PasswordMin: 12},
		"remove_password.html":     &l,
		"remove_recovery.html":     &l,
		"report.html":              &reportView{layout: l, Report: entry},
		"reported.html":            &reportedView{layout: l, Challenge: ch, Closed: true, SignedOut: true},
		"reset.html":               code(otpd.PurposeResetPassword),
		"sessions.html":            &sessionsView{layout: l, Sessions: []sessionView{{ID: "s1", Current: true}, {ID: "s2"}}},
		"sign_out_everywhere.html": &l,
		"signin.html":              &signInView{layout: l, Email: "x@example.com", Form: "password"},
		"stepup.html":              &l,
		"stepup_code.html":         code(otpd.PurposeStepUp),
		"check.html": &checkView{layout: l, Reference: "K7QP-2MXD", Looked: true,
			Sent: &sentView{To: "a•••@example.com", At: at, Owner: true, Kind: otpd.MessageCode, Request: &entry}},
		"checked.html": &checkedView{layout: l, To: "a•••@example.com", At: at, Report: msgcheck.Report{
			Verdict: msgcheck.Altered, Changes: []msgcheck.Change{msgcheck.ChangeBody}, Reasons: []msgcheck.Reason{msgcheck.ReasonOtherKey},
			Signatures: []msgcheck.Signature{{Domain: "example.com", Selector: "otpd", Result: msgcheck.SigBodyChanged}},
			FromDomain: "example.com", Ref: "K7QP-2MXD", Links: []msgcheck.Link{{URL: "https://x.example/", Host: "x.example"}, {Ours: true}},
			Code: msgcheck.CodeNotChecked}},
	}
	maps.Copy(views, methodViews(l, code))
	cat := catalog.MustLoad()
	for tag, tmpl := range parseTemplates(cat) {
		t.Run(tag, func(t *testing.T) { runViews(t, tmpl, views, code, l, ch) })
	}
}

// runViews renders every view with tmpl, and fails on an error or on a
// raw key (⟦key⟧: one the catalogue lacks) on the page.
func runViews(t *testing.T, tmpl *template.Template, views map[string]view, code func(otpd.Purpose) *codeView, l layout, ch otpd.Challenge) {
	exec := func(name string, v view) {
		var b strings.Builder
		if err := tmpl.ExecuteTemplate(&b, name, v); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if i := strings.Index(b.String(), "⟦"); i >= 0 {
			t.Errorf("%s shows a key the catalogue lacks: %.60s", name, b.String()[i:])
		}
	}
	for _, tp := range tmpl.Templates() {
		name := tp.Name()
		if !strings.HasSuffix(name, ".html") || name == "layout.html" || name == "codeparts.html" || name == "methods_parts.html" ||
			name == "checklist.html" || name == "entries.html" {
			continue
		}
		v, ok := views[name]
		if !ok {
			t.Errorf("%s has no view in this test", name)
			continue
		}
		exec(name, v)
	}
	// The other side of the branches the views above took.
	closed := code(otpd.PurposeStepUp)
	closed.Closed = true
	for name, v := range map[string]view{
		"stepup_code.html": closed,
		"deny.html":        &denyView{layout: l, Challenge: ch},
		"denied.html":      &deniedView{layout: layout{}, Challenge: otpd.Challenge{Purpose: otpd.PurposeSignIn}},
	} {
		exec(name, v)
	}
}
