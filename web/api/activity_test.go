package api_test

import (
	"net/http"
	"testing"

	"github.com/otpd/otpd/client"
	"github.com/otpd/otpd/web/webtest"
)

func TestActivityKinds(t *testing.T) {
	r := webtest.New(t)
	owner := r.Owner(t, "ada@example.com", "203.0.113.5")
	for kind, want := range map[string]string{
		client.KindCodes:   "code_requested",
		client.KindSignIns: "session_started",
		client.KindChanges: "password_set",
		client.KindDevices: "device_remembered",
	} {
		evs, err := owner.ActivityOfKind(ctx, kind)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, ev := range evs {
			found = found || ev.Type == want
			if ev.Kind != kind {
				t.Errorf("kind=%s answered a %s event of kind %s", kind, ev.Type, ev.Kind)
			}
			if ev.Type == "code_requested" && ev.FlowID == "" {
				t.Errorf("a code request without its flow_id: %+v", ev)
			}
		}
		if !found {
			t.Errorf("kind=%s lacks a %s event: %+v", kind, want, evs)
		}
	}
	if evs, err := owner.ActivityOfKind(ctx, client.KindReports); err != nil || len(evs) != 0 {
		t.Errorf("reports before any: %+v, %v", evs, err)
	}
	_, err := owner.ActivityOfKind(ctx, "logins")
	if e := apiError(t, err, http.StatusBadRequest, "invalid_request"); e.Field != "kind" {
		t.Errorf("unknown kind: field %q, want kind", e.Field)
	}
}

// A code someone in Lagos asked for and never used is news at the
// owner's next sign-in; "This wasn't me" from the activity cancels it.
func TestUnusedCodesAndReportOverAPI(t *testing.T) {
	r := webtest.New(t)
	const email = "ada@example.com"
	first := r.Session(t, email, "203.0.113.5")
	if codes, err := first.UnusedCodes(ctx); err != nil || len(codes) != 0 {
		t.Fatalf("unused codes of a new account: %+v, %v", codes, err)
	}
	_, flow := askFrom(t, r, email, "198.51.100.9")
	owner := r.Session(t, email, "203.0.113.5")
	codes, err := owner.UnusedCodes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(codes) != 1 || codes[0].Place != "Lagos, Nigeria" || codes[0].IP != "198.51.100.9" ||
		codes[0].Status != "pending" || codes[0].Purpose != "sign_in" {
		t.Fatalf("unused codes %+v, want the pending one from Lagos", codes)
	}

	rep, err := owner.ReportFlow(ctx, flow.FlowID)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Status != "denied" || rep.IP != "198.51.100.9" || rep.FlowID != flow.FlowID || rep.Purpose != "sign_in" {
		t.Errorf("report %+v, want the code from Lagos, denied", rep)
	}
	evs, err := owner.ActivityOfKind(ctx, client.KindReports)
	if err != nil || len(evs) != 1 || evs[0].Type != "code_denied" || evs[0].FlowID != flow.FlowID {
		t.Errorf("reports %+v, %v; want the one just made", evs, err)
	}
	codes, _ = owner.UnusedCodes(ctx)
	if len(codes) != 1 || codes[0].Status != "denied" {
		t.Errorf("after the report, unused codes %+v", codes)
	}
	if cs, err := owner.Campaigns(ctx); err != nil || cs == nil || len(cs) != 0 {
		t.Errorf("campaigns %#v, %v; want an empty list", cs, err)
	}

	bob := r.Session(t, "bob@example.com", "")
	_, err = bob.ReportFlow(ctx, flow.FlowID)
	if e := apiError(t, err, http.StatusNotFound, "not_found"); e.Field != "flow_id" {
		t.Errorf("another account's flow: field %q", e.Field)
	}
}
