package main

import (
	"net/http"
	"testing"

	"github.com/otpd/otpd/client"
)

// bobAndAda are two accounts on one server: bob with a password and a
// remembered device, ada signed in and stepped up. Ada then asks to make
// bob's address her own sign-in address; the code goes to bob, and so
// does a new session of his, from the same network, after the request.
// It returns bob's remembered client, his new session, ada, her flow and
// the message that carried the code to bob.
func bobAndAda(t *testing.T, s *server) (bob, bobLater, ada *client.Client, flow string, m client.Message) {
	t.Helper()
	bob = s.owner(t, "bob@example.com", "")
	ada = s.signIn(t, "ada@example.com")
	s.stepUp(t, ada, "ada@example.com")
	n := s.messages(t, "bob@example.com")
	f, err := ada.ChangeEmail(ctx, "bob@example.com")
	if err != nil {
		t.Fatal(err)
	}
	m = s.mail(t, "bob@example.com", n)
	return bob, s.signIn(t, "bob@example.com"), ada, f.FlowID, m
}

// bobUntouched checks that nothing of a report of ada's flow reached bob:
// no report or sign-out in his activity, his sessions alive, and no
// guard, so his password on his remembered device needs no code.
func bobUntouched(t *testing.T, s *server, bob, bobLater *client.Client) {
	t.Helper()
	for _, typ := range []string{"code_denied", "sessions_ended"} {
		if hasEvent(t, bob, typ) {
			t.Errorf("bob's activity holds %s", typ)
		}
	}
	if _, err := bobLater.Me(ctx); err != nil {
		t.Errorf("bob's session from the reporter's network ended: %v", err)
	}
	device := s.client()
	device.DeviceToken = bob.DeviceToken
	res, err := device.PasswordSignIn(ctx, "bob@example.com", goodPassword)
	if err != nil || res.SignedIn == nil {
		t.Errorf("bob's password on his remembered device: %+v, %v; want signed in without a code", res, err)
	}
}

// The reported attack: ada starts a change of address to bob's address,
// then reports her own flow from her activity. Every effect is ada's.
func TestReportOfOwnFlowToAnotherAccountsAddress(t *testing.T) {
	s := startServer(t, roomyLimits)
	bob, bobLater, ada, flow, _ := bobAndAda(t, s)
	if _, err := ada.ReportFlow(ctx, flow); err != nil {
		t.Fatal(err)
	}
	bobUntouched(t, s, bob, bobLater)
	if !hasEvent(t, ada, "code_denied") {
		t.Error("ada's report is not in her activity")
	}
	// Nor may bob report ada's flow as his: the link in the email is his.
	_, err := bobLater.ReportFlow(ctx, flow)
	apiError(t, err, http.StatusNotFound, "not_found")
}

// Bob answers the code email with its "This wasn't me" link: the code is
// cancelled and ada's activity says so, but no session ends and no guard
// goes up, his or hers.
func TestReportByDenyLinkOfAnotherAccountsFlow(t *testing.T) {
	s := startServer(t, roomyLimits)
	bob, bobLater, ada, _, m := bobAndAda(t, s)
	link := undoLink(t, m)
	b := browser(t)
	_, page := get(t, b, link)
	mustContain(t, page, "somebody typed your address into their account&#39;s settings", "nothing else changes")
	resp, page := postForm(t, b, link, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("deny: %d\n%s", resp.StatusCode, page)
	}
	mustContain(t, page, "The code is cancelled", "The account that asked for it is told")
	bobUntouched(t, s, bob, bobLater)
	if !hasEvent(t, ada, "code_denied") {
		t.Error("ada's activity does not say her code was refused")
	}
	if _, err := ada.Me(ctx); err != nil {
		t.Errorf("ada's session ended on bob's word: %v", err)
	}
	if hasEvent(t, ada, "sessions_ended") {
		t.Error("bob's click signed out ada's sessions")
	}
}
