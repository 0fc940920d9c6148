package storetest

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/otpd/otpd"
)

// Erased checks that DeleteAccount leaves nothing of an account anywhere
// in the store, beyond what any read of the interface can reach: s holds
// an account with a row in every table that keeps data about one, and
// after the delete, find, which reads the store's tables themselves,
// must find none of the strings that named it (its ID, address, sessions,
// codes, device, app and tokens). find returns where it found each.
func Erased(t *testing.T, s otpd.Store, find func(needles []string) []string) {
	h := holdEverything(t, s, "ida.erased@example.com", t0)
	other := holdEverything(t, s, "kim.kept@example.com", t0)
	needles := []string{h.acct.ID, h.acct.Email.String(), h.acct.Email.Key(), h.sess.ID, h.pending.ID, h.pending.FlowID,
		h.device.ID, h.issued.Family.ID, h.issued.Access.ID, h.issued.Refresh.ID}
	if found := find(needles); len(found) == 0 {
		t.Fatal("find finds nothing of the account before the delete: it cannot tell")
	}
	if err := s.DeleteAccount(t.Context(), h.acct.ID, t0.Add(time.Hour)); err != nil {
		t.Fatalf("DeleteAccount: %v", err)
	}
	for _, where := range find(needles) {
		t.Errorf("the deleted account remains in %s", where)
	}
	if found := find([]string{other.acct.ID, other.acct.Email.String()}); len(found) == 0 {
		t.Error("the other account was erased too")
	}
	erasedRacingSignIns(t, s, find)
}

// erasedRacingSignIns deletes an account while its codes are verified:
// whichever sign-in finishes first, no row of it remains, no session
// among them.
func erasedRacingSignIns(t *testing.T, s otpd.Store, find func(needles []string) []string) {
	acct, _ := signUp(t, s, "raced@example.com", t0)
	var reqs []otpd.VerifyRequest
	for i := range 6 {
		ch := mustRequest(t, s, codeRequest(acct.Email.String(), acct.ID, t0.Add(time.Duration(i+1)*time.Millisecond)))
		reqs = append(reqs, verifyRequest(ch, rightCode, t0.Add(time.Second)))
	}
	var wg sync.WaitGroup
	for _, req := range reqs {
		wg.Go(func() {
			if _, err := s.VerifyCode(t.Context(), req); err != nil && !errors.Is(err, otpd.ErrNotFound) {
				t.Errorf("VerifyCode racing a delete: %v", err)
			}
		})
	}
	wg.Go(func() {
		if err := s.DeleteAccount(t.Context(), acct.ID, t0.Add(time.Second)); err != nil {
			t.Errorf("DeleteAccount: %v", err)
		}
	})
	wg.Wait()
	needles := []string{acct.ID, acct.Email.String()}
	for _, req := range reqs {
		needles = append(needles, req.Session.ID, req.ChallengeID)
	}
	for _, where := range find(needles) {
		t.Errorf("a sign-in racing the delete left a row in %s", where)
	}
}
