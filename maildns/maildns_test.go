package maildns

import (
	"crypto/ed25519"
	"crypto/rsa"
	"strings"
	"sync"
	"testing"

	"github.com/otpd/otpd/dkim"
)

var (
	keysOnce     sync.Once
	rsaA, rsaB   *rsa.PrivateKey
	edKey        ed25519.PrivateKey
	keysGenError error
)

// keys makes two RSA keys once: generating one takes a while.
func keys(t *testing.T) (ours, other *rsa.PrivateKey, ed ed25519.PrivateKey) {
	t.Helper()
	keysOnce.Do(func() {
		if rsaA, keysGenError = dkim.GenerateRSA(); keysGenError != nil {
			return
		}
		if rsaB, keysGenError = dkim.GenerateRSA(); keysGenError != nil {
			return
		}
		edKey, keysGenError = dkim.GenerateEd25519()
	})
	if keysGenError != nil {
		t.Fatal(keysGenError)
	}
	return rsaA, rsaB, edKey
}

func TestRecords(t *testing.T) {
	ours, _, ed := keys(t)
	base := Domain{From: "example.com", Signing: "example.com", Selector: "otpd", EdSelector: "otpd-ed25519",
		RSA: ours.Public(), ReportTo: "dmarc-reports@example.com"}
	cases := []struct {
		name  string
		edit  func(*Domain)
		want  map[Kind]string // kind -> name and value, "NAME VALUE"
		kinds []Kind
	}{
		{"defaults", func(*Domain) {}, map[Kind]string{
			SPF:    "example.com v=spf1 mx -all",
			DMARC:  "_dmarc.example.com v=DMARC1; p=reject; adkim=s; aspf=r; rua=mailto:dmarc-reports@example.com",
			TLSRPT: "_smtp._tls.example.com v=TLSRPTv1; rua=mailto:dmarc-reports@example.com",
		}, []Kind{DKIMRSA, SPF, DMARC, TLSRPT}},
		{"relay", func(d *Domain) { d.RelayHost = "smtp.provider.net" }, map[Kind]string{
			SPF: "example.com v=spf1 a:smtp.provider.net -all",
		}, []Kind{DKIMRSA, SPF, DMARC, TLSRPT}},
		{"relay on loopback", func(d *Domain) { d.RelayHost = "127.0.0.1" }, map[Kind]string{
			SPF: "example.com v=spf1 mx -all",
		}, []Kind{DKIMRSA, SPF, DMARC, TLSRPT}},
		{"parent signs", func(d *Domain) { d.From = "mail.example.com" }, map[Kind]string{
			DMARC: "_dmarc.mail.example.com v=DMARC1; p=reject; adkim=r; aspf=r; rua=mailto:dmarc-reports@example.com",
		}, []Kind{DKIMRSA, SPF, DMARC, TLSRPT}},
		{"ed25519 and mx", func(d *Domain) { d.Ed25519 = ed.Public(); d.MX = []string{"MX1.example.com."} }, map[Kind]string{
			MTASTS: "_mta-sts.example.com v=STSv1; id=",
		}, []Kind{DKIMRSA, DKIMEd25519, SPF, DMARC, MTASTS, TLSRPT}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := base
			c.edit(&d)
			recs, err := Records(d)
			if err != nil {
				t.Fatal(err)
			}
			var kinds []Kind
			for _, r := range recs {
				kinds = append(kinds, r.Kind)
				if w, ok := c.want[r.Kind]; ok && !strings.HasPrefix(r.Name+" "+r.Value, w) {
					t.Errorf("%s: %s %s, want %s", r.Kind, r.Name, r.Value, w)
				}
				if r.Why == "" || r.Type != "TXT" {
					t.Errorf("%s: type %q, why %q", r.Kind, r.Type, r.Why)
				}
				if r.Required != (r.Kind == DKIMRSA || r.Kind == SPF || r.Kind == DMARC) {
					t.Errorf("%s: required %v", r.Kind, r.Required)
				}
			}
			if strings.Join(kindStrings(kinds), " ") != strings.Join(kindStrings(c.kinds), " ") {
				t.Errorf("kinds %v, want %v", kinds, c.kinds)
			}
		})
	}
}

func kindStrings(ks []Kind) []string {
	var s []string
	for _, k := range ks {
		s = append(s, string(k))
	}
	return s
}

// The MTA-STS id follows the policy: the same policy, the same id, so
// printing the records again changes nothing; another policy, another id,
// so that senders fetch it again.
func TestMTASTSPolicy(t *testing.T) {
	a := MTASTSRecord("example.com", "", []string{"mx1.example.com", "mx2.example.com"})
	want := "version: STSv1\r\nmode: testing\r\nmx: mx1.example.com\r\nmx: mx2.example.com\r\nmax_age: 604800\r\n"
	if a.Policy != want || a.PolicyURL != "https://mta-sts.example.com/.well-known/mta-sts.txt" {
		t.Errorf("policy %q at %s", a.Policy, a.PolicyURL)
	}
	if b := MTASTSRecord("example.com", "testing", []string{"mx1.example.com", "mx2.example.com"}); b.Value != a.Value {
		t.Errorf("same policy, ids %s and %s", a.Value, b.Value)
	}
	if c := MTASTSRecord("example.com", "enforce", []string{"mx1.example.com", "mx2.example.com"}); c.Value == a.Value {
		t.Errorf("another policy kept id %s", c.Value)
	}
	if f := Check(a, []string{a.Value}); f.Status != OK {
		t.Errorf("our own record: %+v", f)
	}
}

func TestDMARCReportsElsewhere(t *testing.T) {
	r := DMARCRecord("example.com", "example.com", "reports@dmarc.example.net")
	if !strings.Contains(r.Why, `example.com._report._dmarc.dmarc.example.net TXT "v=DMARC1"`) {
		t.Errorf("why %q does not say the other domain must agree", r.Why)
	}
}

func TestCheck(t *testing.T) {
	ours, other, _ := keys(t)
	dk, _ := DKIMRecord(DKIMRSA, "otpd", "example.com", ours.Public())
	_, otherValue, _ := dkim.TXTRecord("otpd", "example.com", other.Public())
	spf := SPFRecord("example.com", "smtp.example.com")
	dmarc := DMARCRecord("example.com", "example.com", "r@example.com")
	parentDMARC := DMARCRecord("mail.example.com", "example.com", "r@example.com")
	sts := MTASTSRecord("example.com", "enforce", []string{"mx.example.com"})
	rpt := TLSRPTRecord("example.com", "r@example.com")
	// A provider's console may fold a long key with spaces.
	folded := strings.Replace(dk.Value, "p=", "p= ", 1)
	folded = folded[:60] + " " + folded[60:]
	cases := []struct {
		name   string
		want   Record
		found  []string
		status Status
		detail string
	}{
		{"dkim ours", dk, []string{dk.Value}, OK, ""},
		{"dkim folded", dk, []string{folded}, OK, ""},
		{"dkim none", dk, nil, Missing, "no DKIM"},
		{"dkim other key", dk, []string{otherValue}, Wrong, "differs"},
		{"dkim revoked", dk, []string{"v=DKIM1; k=rsa; p="}, Wrong, "revoked"},
		{"dkim two", dk, []string{dk.Value, otherValue}, Wrong, "2 DKIM"},
		{"dkim type", dk, []string{"v=DKIM1; k=ed25519; p=abc"}, Wrong, "k=ed25519"},
		{"spf ours", spf, []string{"google-site-verification=x", spf.Value}, OK, ""},
		{"spf softfail", spf, []string{"v=spf1 include:_spf.provider.net ~all"}, OK, ""},
		{"spf none", spf, []string{"google-site-verification=x", "v=spf10 nonsense"}, Missing, "no SPF"},
		{"spf two", spf, []string{"v=spf1 mx -all", "V=SPF1 a -all"}, Wrong, "2 SPF records"},
		{"spf +all", spf, []string{"v=spf1 mx +all"}, Wrong, `"+all"`},
		{"spf bare all", spf, []string{"v=spf1 all"}, Wrong, `"all"`},
		{"dmarc ours", dmarc, []string{dmarc.Value}, OK, ""},
		{"dmarc none", dmarc, []string{"v=spf1 -all"}, Missing, "no DMARC"},
		{"dmarc p=none", dmarc, []string{"v=DMARC1; p=none; rua=mailto:r@example.com"}, Wrong, "p=none"},
		{"dmarc quarantine", dmarc, []string{"v=DMARC1;p=quarantine"}, Wrong, "p=quarantine"},
		{"dmarc no p", dmarc, []string{"v=DMARC1; rua=mailto:r@example.com"}, Wrong, "no policy"},
		{"dmarc pct", dmarc, []string{"v=DMARC1; p=reject; pct=20"}, Wrong, "pct=20"},
		{"dmarc two", dmarc, []string{dmarc.Value, dmarc.Value}, Wrong, "2 DMARC"},
		{"dmarc no rua", dmarc, []string{"v=DMARC1; p=Reject"}, OK, "no rua"},
		{"dmarc strict, parent signs", parentDMARC, []string{"v=DMARC1; p=reject; adkim=s"}, Wrong, "adkim=r"},
		{"mta-sts other id", sts, []string{"v=STSv1; id=20240101T000000"}, OK, ""},
		{"mta-sts none", sts, nil, Missing, "no MTA-STS"},
		{"mta-sts no id", sts, []string{"v=STSv1;"}, Wrong, "no id="},
		{"tls-rpt ours", rpt, []string{rpt.Value}, OK, ""},
		{"tls-rpt no rua", rpt, []string{"v=TLSRPTv1"}, Wrong, "no rua="},
	}
	for _, c := range cases {
		f := Check(c.want, c.found)
		if f.Status != c.status || !strings.Contains(f.Detail, c.detail) {
			t.Errorf("%s: %s %q, want %s containing %q", c.name, f.Status, f.Detail, c.status, c.detail)
		}
	}
}
