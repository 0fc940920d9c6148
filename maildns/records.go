// Package maildns holds the DNS records that let receivers tell otpd's mail
// from a forgery: the DKIM keys, SPF, a DMARC policy of reject, MTA-STS and
// TLS-RPT. It builds them from the configuration and judges what a domain
// publishes against them, as pure functions: the command does the lookups.
package maildns

import (
	"crypto"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"strings"

	"github.com/otpd/otpd/dkim"
)

// Kind names a record; the values are stable, for scripts reading --json.
type Kind string

const (
	DKIMRSA     Kind = "dkim-rsa"
	DKIMEd25519 Kind = "dkim-ed25519"
	SPF         Kind = "spf"
	DMARC       Kind = "dmarc"
	MTASTS      Kind = "mta-sts"
	TLSRPT      Kind = "tls-rpt"
)

// Record is one DNS record to publish.
type Record struct {
	Kind  Kind
	Name  string // the owner name, without the final dot
	Type  string // "TXT"
	Value string // the whole value; a zone file splits it into 255-byte strings
	Why   string // one line on what a receiver does with it
	// Required records are the ones without which a receiver cannot tell
	// our mail from a forgery (or is not told to refuse the forgery).
	Required bool
	// Suggestion marks a value to merge with what the name already has
	// (SPF allows a single record per name), not to publish as it is.
	Suggestion bool
	// PolicyURL and Policy are MTA-STS's policy file and where it is served.
	PolicyURL, Policy string
}

// Domain is what the records are built from.
type Domain struct {
	From       string           // the From domain, also the envelope sender's (SPF)
	Signing    string           // the DKIM signing domain, d=: From or a parent of it
	Selector   string           // the RSA key's selector
	EdSelector string           // the Ed25519 key's selector
	RSA        crypto.PublicKey // required
	Ed25519    crypto.PublicKey // nil when no Ed25519 key is configured
	RelayHost  string           // the SMTP relay's host; "" when mail leaves some other way
	ReportTo   string           // where DMARC and TLS-RPT reports go
	MX         []string         // the From domain's MX hosts; none leaves MTA-STS out
	MTASTSMode string           // "testing" or "enforce"
}

// Records returns every record to publish for d: the DKIM keys, SPF, DMARC,
// MTA-STS and TLS-RPT, in that order. With no MX hosts it leaves MTA-STS
// out: its policy has to name them.
func Records(d Domain) ([]Record, error) {
	rsa, err := DKIMRecord(DKIMRSA, d.Selector, d.Signing, d.RSA)
	if err != nil {
		return nil, err
	}
	recs := []Record{rsa}
	if d.Ed25519 != nil {
		ed, err := DKIMRecord(DKIMEd25519, d.EdSelector, d.Signing, d.Ed25519)
		if err != nil {
			return nil, err
		}
		recs = append(recs, ed)
	}
	recs = append(recs, SPFRecord(d.From, d.RelayHost), DMARCRecord(d.From, d.Signing, d.ReportTo))
	if len(d.MX) > 0 {
		recs = append(recs, MTASTSRecord(d.From, d.MTASTSMode, d.MX))
	}
	return append(recs, TLSRPTRecord(d.From, d.ReportTo)), nil
}

// DKIMRecord is the key record of one selector. Only the RSA one is
// required: every receiver verifies RSA, and a missing Ed25519 key only
// costs the second signature.
func DKIMRecord(kind Kind, selector, domain string, pub crypto.PublicKey) (Record, error) {
	name, value, err := dkim.TXTRecord(selector, domain, pub)
	if err != nil {
		return Record{}, err
	}
	r := Record{Kind: kind, Name: name, Type: "TXT", Value: value, Required: kind == DKIMRSA}
	r.Why = "receivers check the RSA signature every message carries against this key"
	if kind == DKIMEd25519 {
		r.Why = "receivers that know Ed25519 (RFC 8463) check the second signature against this key"
	}
	return r, nil
}

// SPFRecord suggests the servers that may send as domain. otpd cannot know
// every sender of a domain, so the value is a start to merge with the
// record the domain has, ending -all so that nobody unlisted passes.
func SPFRecord(domain, relayHost string) Record {
	r := Record{Kind: SPF, Name: domain, Type: "TXT", Required: true, Suggestion: true}
	if relayHost != "" && !loopback(relayHost) {
		r.Value = "v=spf1 a:" + relayHost + " -all"
		r.Why = "names the servers that may send as " + domain + "; merge with your existing mechanisms " +
			"(one SPF record per name); if " + relayHost + " is a provider's relay, use the include: mechanism the provider documents in place of a:"
		return r
	}
	r.Value = "v=spf1 mx -all"
	r.Why = "names the servers that may send as " + domain + "; merge with your existing mechanisms " +
		"(one SPF record per name), and add the address of the MTA that sends otpd's mail if it is not an MX host"
	return r
}

// loopback reports whether a relay is on this machine: its own address is
// nothing a receiver sees, so it says nothing about SPF.
func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// DMARCRecord asks receivers to reject mail From the domain that has no
// aligned signature, and to report it. Alignment is strict when otpd
// signs as the From domain itself; a signing domain that is a parent of it
// aligns only relaxed.
func DMARCRecord(from, signing, reportTo string) Record {
	adkim := "s"
	if signing != from {
		adkim = "r"
	}
	r := Record{Kind: DMARC, Name: "_dmarc." + from, Type: "TXT", Required: true,
		Value: "v=DMARC1; p=reject; adkim=" + adkim + "; aspf=r; rua=mailto:" + reportTo}
	r.Why = "tells receivers to reject mail From " + from + " that carries no aligned signature, and to report it to " + reportTo
	if rd := domainOf(reportTo); rd != "" && rd != from && !strings.HasSuffix(rd, "."+from) {
		// RFC 7489 §7.1: reports go to another domain only if it agrees.
		r.Why += "; " + rd + " must also publish " + from + "._report._dmarc." + rd + ` TXT "v=DMARC1"`
	}
	return r
}

func domainOf(addr string) string {
	_, d, _ := strings.Cut(addr, "@")
	return strings.ToLower(d)
}

// stsMaxAge is how long, in seconds, a sender keeps the MTA-STS policy: a
// week, long enough to outlast an attacker who blocks the policy fetch for
// a while, short enough that a changed MX list is learnt soon.
const stsMaxAge = 7 * 24 * 3600

// MTASTSRecord tells sending servers to reach the domain's MX hosts over
// verified TLS only (RFC 8461): it protects the mail the domain receives,
// reports and replies included. Its id is a digest of the policy, so that
// it changes exactly when the policy does, which is when receivers must
// fetch the policy again.
func MTASTSRecord(domain, mode string, mx []string) Record {
	if mode == "" {
		mode = "testing"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "version: STSv1\r\nmode: %s\r\n", mode)
	for _, h := range mx {
		fmt.Fprintf(&b, "mx: %s\r\n", strings.TrimSuffix(strings.ToLower(h), "."))
	}
	fmt.Fprintf(&b, "max_age: %d\r\n", stsMaxAge)
	sum := sha256.Sum256([]byte(b.String()))
	r := Record{Kind: MTASTS, Name: "_mta-sts." + domain, Type: "TXT",
		Value:     "v=STSv1; id=" + hex.EncodeToString(sum[:8]),
		PolicyURL: "https://mta-sts." + domain + "/.well-known/mta-sts.txt", Policy: b.String()}
	r.Why = "tells sending servers to deliver to " + domain + "'s MX hosts over verified TLS only, as the policy file says"
	if mode == "testing" {
		r.Why += "; mode testing only reports failures: switch to enforce once the TLS reports are clean"
	}
	return r
}

// TLSRPTRecord asks sending servers to report failed TLS deliveries to the
// domain (RFC 8460), which is how an MTA-STS mistake shows before it costs
// mail.
func TLSRPTRecord(domain, reportTo string) Record {
	return Record{Kind: TLSRPT, Name: "_smtp._tls." + domain, Type: "TXT",
		Value: "v=TLSRPTv1; rua=mailto:" + reportTo,
		Why:   "asks sending servers to report to " + reportTo + " when they fail to reach " + domain + " over TLS"}
}
