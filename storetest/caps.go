package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/otpd/otpd"
)

var capTests = []test{
	{"EveryRequestCounts", testEveryRequestCounts},
	{"FamiliarCapsApart", testFamiliarCapsApart},
	{"OneMailboxOneCap", testOneMailboxOneCap},
}

var fiveAnHour = otpd.SendLimits{PerHour: 5, PerDay: 10}

// wantCapped asks for one more code and wants the per-hour cap to refuse.
func wantCapped(t *testing.T, s otpd.Store, req otpd.CodeRequest, what string) {
	t.Helper()
	var le *otpd.LimitError
	if err := s.RequestCode(t.Context(), req); !errors.As(err, &le) || le.Limit != otpd.LimitPerHour {
		t.Errorf("%s: %v, want the per-hour cap to refuse", what, err)
	}
}

// Requests that send nothing (code-only sign-in off, held back during a
// flood) count like those that send a code or a notice: otherwise the
// caps would tell an account from an address without one (invariant 6).
func testEveryRequestCounts(t *testing.T, s otpd.Store) {
	acct, _ := signUp(t, s, "yves@example.com", t0)
	at := t0.Add(time.Hour)
	for i := range 5 {
		req := codeRequest("yves@example.com", acct.ID, at.Add(time.Duration(i)*time.Second))
		req.Limits = fiveAnHour
		if i%2 == 0 {
			req.Message = otpd.OutboxMessage{}
		}
		mustRequest(t, s, req)
	}
	req := codeRequest("yves@example.com", acct.ID, at.Add(time.Minute))
	req.Limits = fiveAnHour
	wantCapped(t, s, req, "a sixth request after three that sent nothing")
}

// The owner's remembered devices have caps of their own: strangers who
// spend the others' do not keep the owner's code from them.
func testFamiliarCapsApart(t *testing.T, s otpd.Store) {
	acct, _ := signUp(t, s, "zoe@example.com", t0)
	at := t0.Add(time.Hour)
	for i := range 5 {
		req := codeRequest("zoe@example.com", acct.ID, at.Add(time.Duration(i)*time.Second))
		req.Limits, req.Message = fiveAnHour, otpd.OutboxMessage{}
		mustRequest(t, s, req)
	}
	owner := codeRequest("zoe@example.com", acct.ID, at.Add(time.Minute))
	owner.Limits, owner.Context = fiveAnHour, otpd.Familiar
	mustRequest(t, s, owner)
	stranger := codeRequest("zoe@example.com", acct.ID, at.Add(2*time.Minute))
	stranger.Limits = fiveAnHour
	wantCapped(t, s, stranger, "a stranger's sixth request")
}

// Sub-addresses reach one inbox, and share its caps; they are separate
// addresses all the same.
func testOneMailboxOneCap(t *testing.T, s otpd.Store) {
	at := t0.Add(time.Hour)
	for i := range 5 {
		req := codeRequest("vera+"+string(rune('a'+i))+"@example.com", "", at.Add(time.Duration(i)*time.Second))
		req.Limits = fiveAnHour
		mustRequest(t, s, req)
	}
	for _, email := range []string{"vera@example.com", "Vera+z@example.com"} {
		req := codeRequest(email, "", at.Add(time.Minute))
		req.Limits = fiveAnHour
		wantCapped(t, s, req, email+" after five codes to its mailbox")
	}
	other := codeRequest("vera.b@example.com", "", at.Add(time.Minute))
	other.Limits = fiveAnHour
	mustRequest(t, s, other)
}
