package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/otpd/otpd/maildns"
)

// lookupTimeout bounds each lookup, retries included: a resolver that has
// not answered by then is not going to, and the operator is waiting.
const lookupTimeout = 15 * time.Second

// resolver is the part of *net.Resolver that otpd dns uses.
type resolver interface {
	LookupTXT(ctx context.Context, name string) ([]string, error)
	LookupMX(ctx context.Context, name string) ([]*net.MX, error)
}

// newResolver returns the system resolver, or one that sends every query
// to addr. PreferGo is needed for the Dial to be used at all.
func newResolver(addr string) resolver {
	if addr == "" {
		return net.DefaultResolver
	}
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}}
}

// resolverAddress checks a --resolver value and returns it as HOST:PORT;
// a bare IP address means port 53.
func resolverAddress(s string) (string, error) {
	if ip := net.ParseIP(strings.Trim(s, "[]")); ip != nil {
		return net.JoinHostPort(ip.String(), "53"), nil
	}
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return "", fmt.Errorf("want HOST:PORT such as 9.9.9.9:53, got %q", s)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 || host == "" {
		return "", fmt.Errorf("want HOST:PORT such as 9.9.9.9:53 (a port from 1 to 65535), got %q", s)
	}
	return s, nil
}

// lookupMX finds the MX hosts the MTA-STS policy must name. When there are
// none it says why instead, and MTA-STS is left out.
func lookupMX(ctx context.Context, r resolver, domain string) (hosts, notes []string) {
	ctx, cancel := context.WithTimeout(ctx, lookupTimeout)
	defer cancel()
	mxs, err := r.LookupMX(ctx, domain+".")
	var dnsErr *net.DNSError
	switch {
	case errors.As(err, &dnsErr) && dnsErr.IsNotFound || err == nil && len(mxs) == 0:
		return nil, []string{domain + " has no MX hosts, so it receives no mail and MTA-STS has nothing to protect"}
	case err != nil:
		return nil, []string{"MTA-STS left out: looking up the MX hosts of " + domain + " failed: " + err.Error()}
	}
	for _, mx := range mxs {
		hosts = append(hosts, strings.ToLower(strings.TrimSuffix(mx.Host, ".")))
	}
	return hosts, nil
}

// checkRecords looks each record up and sets its status in rep; rep.OK
// is false when a required record is not ok.
func checkRecords(ctx context.Context, r resolver, recs []maildns.Record, rep *dnsReport) {
	ok := true
	for i, rec := range recs {
		found, err := lookupTXT(ctx, r, rec.Name)
		f := maildns.Finding{Status: maildns.Unknown, Detail: fmt.Sprintf("the lookup failed: %v", err)}
		if err == nil {
			f = maildns.Check(rec, found)
		}
		rep.Records[i].Status, rep.Records[i].Detail, rep.Records[i].Found = f.Status, f.Detail, found
		if rec.Required && f.Status != maildns.OK {
			ok = false
		}
	}
	rep.OK = &ok
}

// lookupTXT returns the TXT records at name, none when the name or its TXT
// records do not exist. The resolver joins each record's strings, so a key
// split into 255-byte strings comes back whole.
func lookupTXT(ctx context.Context, r resolver, name string) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, lookupTimeout)
	defer cancel()
	// The final dot keeps the resolver from trying the search domains.
	txt, err := r.LookupTXT(ctx, name+".")
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
		return nil, nil
	}
	return txt, err
}

var kindLabels = map[maildns.Kind]string{
	maildns.DKIMRSA: "DKIM RSA", maildns.DKIMEd25519: "DKIM Ed25519", maildns.SPF: "SPF",
	maildns.DMARC: "DMARC", maildns.MTASTS: "MTA-STS", maildns.TLSRPT: "TLS-RPT",
}

func failedRequired(rep dnsReport) []string {
	var names []string
	for _, r := range rep.Records {
		if r.Required && r.Status != maildns.OK {
			names = append(names, kindLabels[r.Kind])
		}
	}
	return names
}

func printDNSReport(w io.Writer, rep dnsReport) {
	if rep.OK == nil {
		printRecords(w, rep)
	} else {
		printChecks(w, rep)
	}
	for _, n := range rep.Notes {
		fmt.Fprintf(w, "\nNote: %s.\n", n)
	}
}

func printRecords(w io.Writer, rep dnsReport) {
	fmt.Fprintf(w, "DNS records for mail From %s, signed by %s.\n", rep.FromDomain, rep.SigningDomain)
	for _, r := range rep.Records {
		fmt.Fprintf(w, "\n%s%s\n  %s\n", kindLabels[r.Kind], qualifiers(r), zoneLine(r))
		printPolicy(w, r, "  ")
		fmt.Fprintf(w, "  Why: %s.\n", r.Why)
	}
}

// printPolicy shows MTA-STS's policy file, which is served over HTTPS,
// not published in DNS.
func printPolicy(w io.Writer, r dnsRecord, indent string) {
	if r.Policy == "" {
		return
	}
	fmt.Fprintf(w, "%sand serve this file at %s (HTTPS, with a valid certificate):\n", indent, r.PolicyURL)
	for _, line := range strings.Split(strings.TrimSpace(r.Policy), "\r\n") {
		fmt.Fprintf(w, "%s  %s\n", indent, line)
	}
}

func qualifiers(r dnsRecord) string {
	switch {
	case r.Required && r.Suggestion:
		return " (required; a suggestion: merge it with the record you have)"
	case r.Required:
		return " (required)"
	}
	return ""
}

func zoneLine(r dnsRecord) string {
	return r.Name + ". IN " + r.Type + " " + zoneStrings(r.Value)
}

func printChecks(w io.Writer, rep dnsReport) {
	by := "the system resolver"
	if rep.Resolver != "system" {
		by = "the resolver at " + rep.Resolver
	}
	fmt.Fprintf(w, "DNS records for mail From %s, signed by %s, as %s answers:\n\n", rep.FromDomain, rep.SigningDomain, by)
	for _, r := range rep.Records {
		line := fmt.Sprintf("%-8s %-13s %s", r.Status, kindLabels[r.Kind], r.Name)
		if r.Detail != "" {
			line += ": " + r.Detail
		}
		fmt.Fprintln(w, line)
		if r.Status == maildns.Missing || r.Status == maildns.Wrong {
			suggestion := ""
			if r.Suggestion {
				suggestion = " (a suggestion: merge it with the record you have)"
			}
			fmt.Fprintf(w, "         publish: %s%s\n", zoneLine(r), suggestion)
			printPolicy(w, r, "         ")
		}
	}
	if *rep.OK {
		fmt.Fprintln(w, "\nThe required records are in place.")
	}
}
