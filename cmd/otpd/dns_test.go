package main

import (
	"encoding/json"
	"flag"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/miekg/dns"

	"github.com/otpd/otpd/dkim"
)

// servfail in a zone makes the server fail every query for that name.
const servfail = "SERVFAIL"

// startDNS serves zone (owner name -> records as a zone file writes them
// after the class, such as `TXT "v=spf1 -all"`) on a free UDP port of
// 127.0.0.1 and returns its address: otpd dns --check then talks to a real
// DNS server, through net.Resolver, as it would in production.
func startDNS(t *testing.T, zone map[string][]string) string {
	t.Helper()
	rrs := map[string][]dns.RR{}
	for name, lines := range zone {
		owner := strings.ToLower(name) + "."
		rrs[owner] = []dns.RR{}
		for _, line := range lines {
			if line == servfail {
				rrs[owner] = nil
				continue
			}
			rr, err := dns.NewRR(owner + " 300 IN " + line)
			if err != nil {
				t.Fatalf("zone line %q: %v", line, err)
			}
			rrs[owner] = append(rrs[owner], rr)
		}
	}
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, req *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(req)
		m.Authoritative = true
		q := req.Question[0]
		at, ok := rrs[strings.ToLower(q.Name)]
		switch {
		case !ok:
			m.Rcode = dns.RcodeNameError
		case at == nil:
			m.Rcode = dns.RcodeServerFailure
		}
		for _, rr := range at {
			if rr.Header().Rrtype == q.Qtype {
				m.Answer = append(m.Answer, rr)
			}
		}
		_ = w.WriteMsg(m)
	})}
	started := make(chan struct{})
	srv.NotifyStartedFunc = func() { close(started) }
	go func() { _ = srv.ActivateAndServe() }()
	<-started
	t.Cleanup(func() { _ = srv.Shutdown() })
	return pc.LocalAddr().String()
}

// dnsSetup makes a data directory holding the RSA key, and the settings of
// a server that sends as accounts@example.com through smtp.example.com.
func dnsSetup(t *testing.T) (env map[string]string, dir string) {
	t.Helper()
	dir = t.TempDir()
	key, err := dkim.GenerateRSA()
	if err != nil {
		t.Fatal(err)
	}
	if err := dkim.WriteKey(filepath.Join(dir, "dkim-rsa.key"), key); err != nil {
		t.Fatal(err)
	}
	return map[string]string{
		"OTPD_DATA_DIR":  dir,
		"OTPD_MAIL_FROM": "Example Accounts <accounts@example.com>",
		"OTPD_SMTP_URL":  "smtp://user:secret@smtp.example.com:587",
	}, dir
}

func TestDNSPrintsTheRecords(t *testing.T) {
	env, dir := dnsSetup(t)
	ed, _ := dkim.GenerateEd25519()
	env["OTPD_DKIM_ED25519_KEY_FILE"] = filepath.Join(dir, "ed.key")
	if err := dkim.WriteKey(env["OTPD_DKIM_ED25519_KEY_FILE"], ed); err != nil {
		t.Fatal(err)
	}
	out, _, err := runCmd(t, env, "dns", "--mx", "mx1.example.com", "--report-to", "reports@example.com")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`otpd._domainkey.example.com. IN TXT "v=DKIM1; k=rsa; p=`,
		`otpd-ed25519._domainkey.example.com. IN TXT "v=DKIM1; k=ed25519; p=`,
		`example.com. IN TXT "v=spf1 a:smtp.example.com -all"`,
		"SPF (required; a suggestion: merge it with the record you have)",
		`_dmarc.example.com. IN TXT "v=DMARC1; p=reject; adkim=s; aspf=r; rua=mailto:reports@example.com"`,
		`_mta-sts.example.com. IN TXT "v=STSv1; id=`,
		"serve this file at https://mta-sts.example.com/.well-known/mta-sts.txt",
		"    mode: testing\n    mx: mx1.example.com\n",
		`_smtp._tls.example.com. IN TXT "v=TLSRPTv1; rua=mailto:reports@example.com"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "  Why: "); n != 6 {
		t.Errorf("%d reasons for 6 records:\n%s", n, out)
	}
	// Without MX hosts there is no MTA-STS policy to give, and it says so.
	out, _, err = runCmd(t, env, "dns")
	if err != nil || strings.Contains(out, "_mta-sts") || !strings.Contains(out, "--mx") {
		t.Errorf("without --mx (%v):\n%s", err, out)
	}
}

// goodZone is what a domain that publishes everything right holds: the
// DKIM record as otpd dns prints it (split into 255-byte strings), and the
// others as an operator would write them, merged with what was there.
func goodZone(t *testing.T, env map[string]string) map[string][]string {
	t.Helper()
	out, _, err := runCmd(t, env, "dns", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Records []struct{ Kind, Value string }
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || len(rep.Records) == 0 || rep.Records[0].Kind != "dkim-rsa" {
		t.Fatalf("dns --json (%v):\n%s", err, out)
	}
	return map[string][]string{
		"otpd._domainkey.example.com": {"TXT " + zoneStrings(rep.Records[0].Value)},
		"example.com": {"TXT \"google-site-verification=abc\"", "TXT \"v=spf1 include:_spf.example.net a:smtp.example.com -all\"",
			"MX 10 mx1.example.com."},
		"_dmarc.example.com":     {`TXT "v=DMARC1; p=reject; rua=mailto:dmarc@example.com"`},
		"_mta-sts.example.com":   {`TXT "v=STSv1; id=20240101T000000"`},
		"_smtp._tls.example.com": {`TXT "v=TLSRPTv1; rua=mailto:tls@example.com"`},
	}
}

var checkLine = regexp.MustCompile(`(?m)^(ok|missing|wrong|unknown) +(DKIM RSA|DKIM Ed25519|SPF|DMARC|MTA-STS|TLS-RPT) +(.*)$`)

// checkLines maps each record's label to its line: "STATUS REST".
func checkLines(out string) map[string]string {
	lines := map[string]string{}
	for _, m := range checkLine.FindAllStringSubmatch(out, -1) {
		lines[m[2]] = m[1] + " " + m[3]
	}
	return lines
}

func TestDNSCheck(t *testing.T) {
	env, _ := dnsSetup(t)
	good := goodZone(t, env)
	otherKey, _ := dkim.GenerateRSA()
	_, otherValue, _ := dkim.TXTRecord("otpd", "example.com", otherKey.Public())
	cases := []struct {
		name    string
		edit    func(z map[string][]string)
		failing string            // the error names these required records; "" means exit 0
		lines   map[string]string // label -> the start of its line
	}{
		{"all right", func(map[string][]string) {}, "", map[string]string{
			"DKIM RSA": "ok otpd._domainkey.example.com", "SPF": "ok example.com", "DMARC": "ok _dmarc.example.com",
			"MTA-STS": "ok _mta-sts.example.com", "TLS-RPT": "ok _smtp._tls.example.com"}},
		{"another DKIM key", func(z map[string][]string) {
			z["otpd._domainkey.example.com"] = []string{"TXT " + zoneStrings(otherValue)}
		}, "DKIM RSA", map[string]string{"DKIM RSA": "wrong otpd._domainkey.example.com: the published key differs from otpd's"}},
		{"DMARC p=none", func(z map[string][]string) {
			z["_dmarc.example.com"] = []string{`TXT "v=DMARC1; p=none; rua=mailto:dmarc@example.com"`}
		}, "DMARC", map[string]string{"DMARC": "wrong _dmarc.example.com: the policy is p=none"}},
		{"SPF missing", func(z map[string][]string) {
			z["example.com"] = []string{`TXT "google-site-verification=abc"`, "MX 10 mx1.example.com."}
		}, "SPF", map[string]string{"SPF": "missing example.com: no SPF record"}},
		{"two SPF records", func(z map[string][]string) {
			z["example.com"] = append(z["example.com"], `TXT "v=spf1 mx -all"`)
		}, "SPF", map[string]string{"SPF": "wrong example.com: 2 SPF records"}},
		{"optional records missing", func(z map[string][]string) {
			delete(z, "_mta-sts.example.com")
			delete(z, "_smtp._tls.example.com")
		}, "", map[string]string{"MTA-STS": "missing _mta-sts.example.com", "TLS-RPT": "missing _smtp._tls.example.com"}},
		{"lookup fails", func(z map[string][]string) {
			z["_dmarc.example.com"] = []string{servfail}
		}, "DMARC", map[string]string{"DMARC": "unknown _dmarc.example.com: the lookup failed"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			zone := map[string][]string{}
			for k, v := range good {
				zone[k] = append([]string(nil), v...)
			}
			c.edit(zone)
			out, _, err := runCmd(t, env, "dns", "--check", "--resolver", startDNS(t, zone))
			if c.failing == "" && err != nil || c.failing != "" && (err == nil || !strings.HasSuffix(err.Error(), ": "+c.failing)) {
				t.Errorf("err %v, want failing %q\n%s", err, c.failing, out)
			}
			lines := checkLines(out)
			if len(lines) != 5 {
				t.Errorf("%d record lines, want 5:\n%s", len(lines), out)
			}
			for label, line := range lines {
				want, named := c.lines[label]
				if named && !strings.HasPrefix(line, want) || !named && !strings.HasPrefix(line, "ok ") {
					t.Errorf("%s: %q, want %q (or ok)\n%s", label, line, want, out)
				}
			}
			if c.failing == "" != strings.Contains(out, "The required records are in place.") {
				t.Errorf("the verdict line does not match the exit status:\n%s", out)
			}
		})
	}
}

func TestDNSCheckJSON(t *testing.T) {
	env, _ := dnsSetup(t)
	zone := goodZone(t, env)
	zone["_dmarc.example.com"] = []string{`TXT "v=DMARC1; p=quarantine"`}
	out, _, err := runCmd(t, env, "dns", "--check", "--json", "--resolver", startDNS(t, zone))
	if err == nil {
		t.Error("exit status 0 with DMARC p=quarantine")
	}
	var rep struct {
		FromDomain string `json:"from_domain"`
		OK         *bool  `json:"ok"`
		Records    []struct {
			Kind, Name, Type, Value, Why, Status, Detail string
			Required                                     bool
			Found                                        []string
		}
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if rep.FromDomain != "example.com" || rep.OK == nil || *rep.OK {
		t.Errorf("from_domain %q, ok %v, want example.com and false", rep.FromDomain, rep.OK != nil && *rep.OK)
	}
	got := map[string]string{}
	for _, r := range rep.Records {
		got[r.Kind] = r.Status
		if r.Kind == "dmarc" && (!r.Required || len(r.Found) != 1 || !strings.Contains(r.Detail, "p=quarantine")) {
			t.Errorf("dmarc: %+v", r)
		}
	}
	want := map[string]string{"dkim-rsa": "ok", "spf": "ok", "dmarc": "wrong", "mta-sts": "ok", "tls-rpt": "ok"}
	if len(got) != len(want) {
		t.Errorf("records %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: status %q, want %q", k, got[k], v)
		}
	}
}

func TestDNSRefusesBadInput(t *testing.T) {
	env, dir := dnsSetup(t)
	noKey := map[string]string{"OTPD_DATA_DIR": filepath.Join(t.TempDir(), "data"), "OTPD_MAIL_FROM": "accounts@example.com"}
	noEd := map[string]string{"OTPD_DATA_DIR": dir, "OTPD_MAIL_FROM": "accounts@example.com",
		"OTPD_DKIM_ED25519_KEY_FILE": filepath.Join(dir, "nope.key")}
	cases := []struct {
		env  map[string]string
		args []string
		want []string // the error holds each
	}{
		{env, []string{"--bogus"}, []string{"-bogus"}},
		{env, []string{"extra"}, []string{"no arguments"}},
		{env, []string{"--check", "--resolver", "nowhere"}, []string{"--resolver", "HOST:PORT"}},
		{env, []string{"--check", "--resolver", "127.0.0.1:99999"}, []string{"--resolver", "65535"}},
		{env, []string{"--resolver", "127.0.0.1:53"}, []string{"--resolver", "--check"}},
		{env, []string{"--mx", "mx one"}, []string{"-mx", "host name"}},
		{env, []string{"--mta-sts-mode", "strict"}, []string{"--mta-sts-mode", "testing or enforce"}},
		{env, []string{"--report-to", "Reports <r@example.com>"}, []string{"--report-to"}},
		{noKey, nil, []string{"dkim.key_file", "no DKIM key at", "otpd dkim keygen --domain example.com --out"}},
		{noEd, nil, []string{"dkim.ed25519_key_file", "nope.key"}},
		{map[string]string{"OTPD_DATA_DIR": dir}, nil, []string{"mail.from"}},
	}
	for _, c := range cases {
		_, _, err := runCmd(t, c.env, append([]string{"dns"}, c.args...)...)
		for _, want := range c.want {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("dns %v: err %v, want it to say %q", c.args, err, want)
			}
		}
	}
	// Printing records never makes a key: that is the server's or keygen's.
	if _, err := os.Stat(noKey["OTPD_DATA_DIR"]); !os.IsNotExist(err) {
		t.Errorf("dns made the data directory or a key: %v", err)
	}
}

func TestDNSHelp(t *testing.T) {
	out, _, err := runCmd(t, nil, "dns", "--help")
	if err != flag.ErrHelp {
		t.Errorf("err %v, want flag.ErrHelp", err)
	}
	for _, want := range []string{"-check", "-resolver", "-report-to", "-mx", "-json", `"status"`, "dkim-rsa", "mta-sts"} {
		if !strings.Contains(out, want) {
			t.Errorf("dns --help lacks %q:\n%s", want, out)
		}
	}
	if out, _, _ := runCmd(t, nil, "--help"); !strings.Contains(out, "otpd dns [--check]") {
		t.Errorf("otpd --help does not list dns:\n%s", out)
	}
}
