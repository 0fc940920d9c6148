package otpd_test

import (
	"testing"

	"github.com/otpd/otpd"
)

func TestAccessPolicyDecide(t *testing.T) {
	ada := otpd.Account{ID: "acc-ada", Email: otpd.MustParseAddress("Ada@Example.COM")}
	sub := otpd.Account{ID: "acc-sub", Email: otpd.MustParseAddress("bob@sub.example.com")}
	evil := otpd.Account{ID: "acc-evil", Email: otpd.MustParseAddress("eve@example.com.evil.test")}
	idn := otpd.Account{ID: "acc-idn", Email: otpd.MustParseAddress("jo@bücher.example")}
	domain := otpd.AccessPolicy{Domains: []string{"example.com", "xn--bcher-kva.example"}}
	ids := otpd.AccessPolicy{Accounts: []string{"acc-sub"}}
	fresh := otpd.AccessPolicy{Domains: []string{"example.com"}, FreshCode: true}
	tests := []struct {
		name   string
		p      otpd.AccessPolicy
		acct   otpd.Account
		fresh  bool
		access otpd.Access
	}{
		{"domain", domain, ada, false, otpd.AccessGranted},
		{"subdomain is another domain", domain, sub, false, otpd.AccessDenied},
		{"domain as a prefix", domain, evil, false, otpd.AccessDenied},
		{"domain of an IDN, in its ASCII form", domain, idn, false, otpd.AccessGranted},
		{"account by ID", ids, sub, false, otpd.AccessGranted},
		{"account not listed", ids, ada, false, otpd.AccessDenied},
		{"any account", otpd.AccessPolicy{AnyAccount: true}, evil, false, otpd.AccessGranted},
		{"an empty policy admits nobody", otpd.AccessPolicy{}, ada, true, otpd.AccessDenied},
		{"no account", otpd.AccessPolicy{AnyAccount: true}, otpd.Account{}, true, otpd.AccessDenied},
		{"an empty ID listed", otpd.AccessPolicy{Accounts: []string{""}}, otpd.Account{}, true, otpd.AccessDenied},
		{"fresh code needed", fresh, ada, false, otpd.AccessNeedsCode},
		{"fresh code there", fresh, ada, true, otpd.AccessGranted},
		{"fresh code does not admit", fresh, sub, true, otpd.AccessDenied},
	}
	for _, tt := range tests {
		if got := tt.p.Decide(tt.acct, tt.fresh); got != tt.access {
			t.Errorf("%s: Decide = %v, want %v", tt.name, got, tt.access)
		}
	}
}
