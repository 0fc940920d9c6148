package maildns

import (
	"fmt"
	"strings"
)

// Status is a check's verdict on one record; the values are stable, for
// scripts reading --json.
type Status string

const (
	OK      Status = "ok"
	Missing Status = "missing"
	Wrong   Status = "wrong"
	// Unknown is a lookup that failed (a timeout, SERVFAIL): nothing is
	// known about the record.
	Unknown Status = "unknown"
)

// Finding is a check's verdict and what it rests on.
type Finding struct {
	Status Status
	// Detail says what is missing or wrong, or a caveat of an ok record.
	Detail string
}

// Check judges found, the TXT records at want.Name (each record's strings
// joined, as resolvers return them), against want. Other TXT records that
// share the name, such as a site verification beside SPF, are ignored.
func Check(want Record, found []string) Finding {
	switch want.Kind {
	case DKIMRSA, DKIMEd25519:
		return checkDKIM(want, found)
	case SPF:
		return checkSPF(want, found)
	case DMARC:
		return checkDMARC(want, found)
	case MTASTS:
		return checkTagged(found, "v=STSv1", "MTA-STS", "id")
	case TLSRPT:
		return checkTagged(found, "v=TLSRPTv1", "TLS-RPT", "rua")
	}
	return Finding{Unknown, fmt.Sprintf("no check for %q records", want.Kind)}
}

func checkDKIM(want Record, found []string) Finding {
	var keys []map[string]string
	for _, f := range found {
		t := tags(f)
		if _, hasKey := t["p"]; hasKey || t["v"] == "DKIM1" {
			keys = append(keys, t)
		}
	}
	if len(keys) == 0 {
		return Finding{Missing, "no DKIM key record"}
	}
	if len(keys) > 1 {
		return Finding{Wrong, fmt.Sprintf("%d DKIM key records: a receiver may check against either; keep one", len(keys))}
	}
	ours, got := tags(want.Value), keys[0]
	switch {
	case got["p"] == "":
		return Finding{Wrong, "p= is empty: the key is revoked"}
	case !strings.EqualFold(or(got["k"], "rsa"), ours["k"]):
		return Finding{Wrong, fmt.Sprintf("the key type is k=%s, otpd signs with k=%s", or(got["k"], "rsa"), ours["k"])}
	case got["p"] != ours["p"]:
		return Finding{Wrong, "the published key differs from otpd's: every signature fails; publish otpd's"}
	}
	return Finding{OK, ""}
}

func checkSPF(want Record, found []string) Finding {
	spf := withVersion(found, "v=spf1")
	switch {
	case len(spf) == 0:
		return Finding{Missing, "no SPF record (v=spf1)"}
	case len(spf) > 1:
		return Finding{Wrong, fmt.Sprintf("%d SPF records: receivers treat that as an error and ignore SPF (RFC 7208 §4.5); merge them into one", len(spf))}
	}
	for _, term := range strings.Fields(strings.ToLower(spf[0])) {
		if term == "all" || term == "+all" {
			return Finding{Wrong, `"` + term + `" lets every server on the internet pass as ` + want.Name + "; end with -all"}
		}
	}
	return Finding{OK, "otpd does not evaluate its mechanisms: make sure they cover the relay"}
}

func checkDMARC(want Record, found []string) Finding {
	recs := withVersion(found, "v=DMARC1")
	switch {
	case len(recs) == 0:
		return Finding{Missing, "no DMARC record (v=DMARC1)"}
	case len(recs) > 1:
		return Finding{Wrong, fmt.Sprintf("%d DMARC records: receivers apply none of them (RFC 7489 §6.6.3); keep one", len(recs))}
	}
	got, ours := tags(recs[0]), tags(want.Value)
	switch {
	case got["p"] == "":
		return Finding{Wrong, "no policy (p=): want p=reject"}
	case !strings.EqualFold(got["p"], "reject"):
		return Finding{Wrong, "the policy is p=" + got["p"] + ": receivers deliver forged mail; want p=reject"}
	case got["pct"] != "" && got["pct"] != "100":
		return Finding{Wrong, "pct=" + got["pct"] + ": receivers reject only that share of forged mail; drop pct"}
	case strings.EqualFold(got["adkim"], "s") && ours["adkim"] == "r":
		return Finding{Wrong, "adkim=s, but otpd signs as a parent of the From domain, which aligns only relaxed; use adkim=r"}
	case got["rua"] == "":
		return Finding{OK, "no rua=: nobody is told about forged mail"}
	}
	return Finding{OK, ""}
}

// checkTagged checks a record that is right when it exists once with its
// version and the one tag it needs.
func checkTagged(found []string, version, what, tag string) Finding {
	recs := withVersion(found, version)
	switch {
	case len(recs) == 0:
		return Finding{Missing, "no " + what + " record (" + version + ")"}
	case len(recs) > 1:
		return Finding{Wrong, fmt.Sprintf("%d %s records: senders ignore them all; keep one", len(recs), what)}
	case tags(recs[0])[tag] == "":
		return Finding{Wrong, "no " + tag + "= tag"}
	}
	return Finding{OK, ""}
}

// withVersion returns the records that start with version, a tag that
// ends at a space or a semicolon (SPF and the tag=value records differ).
func withVersion(found []string, version string) []string {
	var out []string
	for _, f := range found {
		f = strings.TrimSpace(f)
		if len(f) < len(version) || !strings.EqualFold(f[:len(version)], version) {
			continue
		}
		if rest := f[len(version):]; rest == "" || rest[0] == ' ' || rest[0] == ';' || rest[0] == '\t' {
			out = append(out, f)
		}
	}
	return out
}

// tags parses "k=v; k=v" (DKIM, DMARC, MTA-STS and TLS-RPT records).
// Whitespace is dropped from values, as in a base64 key folded by a DNS
// provider; a tag without "=" is ignored.
func tags(s string) map[string]string {
	t := map[string]string{}
	for _, part := range strings.Split(s, ";") {
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			continue
		}
		t[strings.TrimSpace(k)] = strings.Join(strings.Fields(v), "")
	}
	return t
}

func or(s, dflt string) string {
	if s == "" {
		return dflt
	}
	return s
}
