package storetest

import (
	"testing"

	"github.com/otpd/otpd"
)

var accountTests = []test{
	{"Missing", testAccountMissing},
	{"LookupByKey", testAccountLookupByKey},
}

func testAccountMissing(t *testing.T, s otpd.Store) {
	_, err := s.AccountByEmail(t.Context(), otpd.MustParseAddress("nobody@example.com"))
	wantNotFound(t, err, "AccountByEmail")
	_, err = s.AccountByID(t.Context(), "no-such-account")
	wantNotFound(t, err, "AccountByID")
}

// An account is found by its address whatever the case of the local part,
// and keeps the address as it was first typed, for delivery.
func testAccountLookupByKey(t *testing.T, s otpd.Store) {
	acct, _ := signUp(t, s, "Alice.Smith@Example.COM", t0)
	if got := acct.Email.String(); got != "Alice.Smith@example.com" {
		t.Errorf("created account's address %q, want it as typed (domain lower-cased)", got)
	}
	for _, typed := range []string{"alice.smith@example.com", "ALICE.SMITH@EXAMPLE.com", "Alice.Smith@example.com"} {
		got, err := s.AccountByEmail(t.Context(), otpd.MustParseAddress(typed))
		if err != nil {
			t.Fatalf("AccountByEmail(%s): %v", typed, err)
		}
		wantAccount(t, got, acct)
	}
	got, err := s.AccountByID(t.Context(), acct.ID)
	if err != nil {
		t.Fatalf("AccountByID: %v", err)
	}
	wantAccount(t, got, acct)
	if !got.CreatedAt.Equal(t0) {
		t.Errorf("CreatedAt %v, want %v", got.CreatedAt, t0)
	}
	_, err = s.AccountByEmail(t.Context(), otpd.MustParseAddress("alice.smith@example.org"))
	wantNotFound(t, err, "AccountByEmail of another domain")
}

func wantAccount(t *testing.T, got, want otpd.Account) {
	t.Helper()
	if got.ID != want.ID || got.Email != want.Email || !got.CreatedAt.Equal(want.CreatedAt) {
		t.Errorf("account %+v, want %+v", got, want)
	}
}
