package main

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/mail"
	"net/url"
	"slices"
	"strings"

	"github.com/otpd/otpd/config"
	"github.com/otpd/otpd/dkim"
	"github.com/otpd/otpd/maildns"
)

const dnsUsage = `Usage: otpd dns [--check [--resolver HOST:PORT]] [--json] [flags]

Prints every DNS record to publish so that receivers can tell otpd's mail
from a forgery, each with one line of why: the DKIM keys (RSA, and Ed25519
when dkim.ed25519_key_file is set), an SPF suggestion, DMARC with p=reject
and reports, MTA-STS with its policy file, and TLS-RPT. It reads the same
configuration as the server (--config, --data, OTPD_...): the records are
for the domain of mail.from, the keys are the ones the server signs with.
It never makes a key: "otpd dkim keygen" or the server's first start does.

With --check it looks every record up, through the system resolver or the
one --resolver names, and says of each: ok, missing or wrong, and why. It
exits with status 1 when DKIM RSA, SPF or DMARC is not ok; MTA-STS, TLS-RPT
and the Ed25519 key are reported only.

--json prints one object: "from_domain", "signing_domain", "notes" (what
could not be done, such as MTA-STS without MX hosts), and "records", each
with "kind" (dkim-rsa, dkim-ed25519, spf, dmarc, mta-sts, tls-rpt), "name",
"type", "value", "why", "required", "suggestion" (true: merge the value
with what the name has), and for mta-sts "policy_url" and "policy". With
--check, the object also has "resolver" ("system" or the HOST:PORT asked)
and "ok" (false when a required record is not ok), and each record
"status" (ok, missing, wrong, or unknown when the lookup failed), "detail"
and "found" (the TXT values at the name).

Flags:
`

// dnsOptions are the flags of otpd dns.
type dnsOptions struct {
	config, data string
	check, json  bool
	resolver     string // HOST:PORT, "" for the system resolver
	reportTo     string
	mx           []string
	stsMode      string
}

func dnsCommand(ctx context.Context, args []string, env func(string) (string, bool), stdout, stderr io.Writer) error {
	opts, err := parseDNSFlags(args, stdout, stderr)
	if err != nil {
		return err
	}
	cfg, err := loadConfig(opts.config, opts.data, env)
	if err != nil {
		return err
	}
	d, err := mailDomain(cfg, opts)
	if err != nil {
		return err
	}
	rep := dnsReport{FromDomain: d.From, SigningDomain: d.Signing}
	var res resolver
	if opts.check {
		res = newResolver(opts.resolver)
		rep.Resolver = or(opts.resolver, "system")
		if len(d.MX) == 0 {
			d.MX, rep.Notes = lookupMX(ctx, res, d.From)
		}
	}
	recs, err := maildns.Records(d)
	if err != nil {
		return err
	}
	if len(d.MX) == 0 && len(rep.Notes) == 0 {
		rep.Notes = append(rep.Notes, "MTA-STS needs the MX hosts of "+d.From+
			": name each with --mx, or use --check, which looks them up")
	}
	rep.Records = reportRecords(recs)
	if opts.check {
		checkRecords(ctx, res, recs, &rep)
	}
	if opts.json {
		err = writeJSON(stdout, rep)
	} else {
		printDNSReport(stdout, rep)
	}
	if err == nil && rep.OK != nil && !*rep.OK {
		err = fmt.Errorf("dns --check: required records missing or wrong: %s", strings.Join(failedRequired(rep), ", "))
	}
	return err
}

func parseDNSFlags(args []string, stdout, stderr io.Writer) (dnsOptions, error) {
	var o dnsOptions
	fs := flag.NewFlagSet("dns", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if slices.ContainsFunc(args, isHelp) {
		fs.SetOutput(stdout)
	}
	fs.StringVar(&o.config, "config", "", "read settings from this TOML `file` (default $OTPD_CONFIG)")
	fs.StringVar(&o.data, "data", "", "the data `directory` whose DKIM key to read (default ./otpd-data)")
	fs.BoolVar(&o.check, "check", false, "look the records up and say which are ok, missing or wrong")
	fs.BoolVar(&o.json, "json", false, "print JSON (fields above)")
	fs.StringVar(&o.resolver, "resolver", "", "with --check, ask the DNS server at this `HOST:PORT` (default: the system resolver)")
	fs.StringVar(&o.reportTo, "report-to", "", "the `address` DMARC and TLS reports go to (default dmarc-reports@DOMAIN)")
	fs.Func("mx", "an MX `host` of the domain, for the MTA-STS policy; repeat for each (default with --check: looked up)", func(v string) error {
		h := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(v)), ".")
		if !hostPattern(h) {
			return fmt.Errorf("want a host name such as mx1.example.com, got %q", v)
		}
		o.mx = append(o.mx, h)
		return nil
	})
	fs.StringVar(&o.stsMode, "mta-sts-mode", "testing", "the MTA-STS `mode`: testing (failures are only reported) or enforce")
	fs.Usage = func() { fmt.Fprint(fs.Output(), dnsUsage); fs.PrintDefaults() }
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("dns takes no arguments, got %q", fs.Args())
	}
	return o, o.validate()
}

func (o *dnsOptions) validate() error {
	if o.stsMode != "testing" && o.stsMode != "enforce" {
		return fmt.Errorf("--mta-sts-mode: want testing or enforce, got %q", o.stsMode)
	}
	if o.reportTo != "" {
		a, err := mail.ParseAddress(o.reportTo)
		if err != nil || a.Name != "" || a.Address != o.reportTo || strings.ContainsAny(o.reportTo, ";,!") {
			return fmt.Errorf("--report-to: want a bare address such as dmarc-reports@example.com, got %q", o.reportTo)
		}
	}
	if o.resolver != "" && !o.check {
		return errors.New("--resolver: it names the DNS server --check asks; add --check")
	}
	if o.resolver != "" {
		addr, err := resolverAddress(o.resolver)
		if err != nil {
			return fmt.Errorf("--resolver: %w", err)
		}
		o.resolver = addr
	}
	return nil
}

// hostPattern accepts a host name, or an MTA-STS wildcard "*.example.com".
func hostPattern(h string) bool {
	h = strings.TrimPrefix(h, "*.")
	if h == "" || strings.HasPrefix(h, ".") || strings.Contains(h, "..") {
		return false
	}
	return strings.Trim(h, "abcdefghijklmnopqrstuvwxyz0123456789-.") == ""
}

func or(s, dflt string) string {
	if s == "" {
		return dflt
	}
	return s
}

// mailDomain gathers what the records are built from: the domains and keys
// the server would sign with. A key that does not exist is an error, not
// made here: a key made by a command that only prints would be one the
// server never uses, or worse, one that replaces the published key.
func mailDomain(cfg config.Config, o dnsOptions) (maildns.Domain, error) {
	from := strings.ToLower(cfg.FromAddress())
	_, fromDomain, _ := strings.Cut(from, "@")
	if cfg.Mail.From == config.DefaultFrom || !strings.Contains(fromDomain, ".") {
		return maildns.Domain{}, fmt.Errorf("mail.from (OTPD_MAIL_FROM): set it to an address at your domain, "+
			"such as accounts@example.com; the records are for that domain, and %q has none", fromDomain)
	}
	signer := dkim.Signer{Domain: cfg.DKIMDomain(), Selector: cfg.DKIM.Selector}
	d := maildns.Domain{From: fromDomain, Signing: signer.Domain, Selector: signer.Selector,
		EdSelector: signer.EdSelector(), ReportTo: or(o.reportTo, "dmarc-reports@"+fromDomain),
		MX: o.mx, MTASTSMode: o.stsMode}
	key, err := loadPublicKey(cfg.DKIMKeyPath(), "dkim.key_file", func(k crypto.Signer) bool { _, ok := k.(*rsa.PrivateKey); return ok }, "RSA")
	if errors.Is(err, fs.ErrNotExist) {
		return d, missingKeyError(cfg, fromDomain)
	}
	if err != nil {
		return d, err
	}
	d.RSA = key
	if cfg.DKIM.Ed25519KeyFile != "" {
		isEd := func(k crypto.Signer) bool { _, ok := k.(ed25519.PrivateKey); return ok }
		if d.Ed25519, err = loadPublicKey(cfg.DKIM.Ed25519KeyFile, "dkim.ed25519_key_file", isEd, "Ed25519"); err != nil {
			return d, err
		}
	}
	if cfg.SMTP.URL != "" {
		if u, err := url.Parse(cfg.SMTP.URL); err == nil {
			d.RelayHost = strings.ToLower(u.Hostname())
		}
	}
	return d, nil
}

// loadPublicKey reads the key the setting names and returns its public half.
func loadPublicKey(path, setting string, isType func(crypto.Signer) bool, typ string) (crypto.PublicKey, error) {
	key, err := dkim.LoadKey(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", setting, err)
	}
	if !isType(key) {
		return nil, fmt.Errorf("%s: %s holds a %T, want an %s key", setting, path, key, typ)
	}
	return key.Public(), nil
}

func missingKeyError(cfg config.Config, domain string) error {
	path := cfg.DKIMKeyPath()
	keygen := "otpd dkim keygen --domain " + domain + " --out " + shellWord(path)
	if cfg.DKIM.Selector != "otpd" {
		keygen += " --selector " + shellWord(cfg.DKIM.Selector)
	}
	return fmt.Errorf("dkim.key_file: there is no DKIM key at %s, so there is no record to publish yet.\n"+
		"otpd serve makes it on first start; or make it now with\n    %s", path, keygen)
}

// dnsReport is what otpd dns prints, and its --json form (the field names
// are documented in dnsUsage; keep them stable).
type dnsReport struct {
	FromDomain    string      `json:"from_domain"`
	SigningDomain string      `json:"signing_domain"`
	Resolver      string      `json:"resolver,omitempty"`
	OK            *bool       `json:"ok,omitempty"`
	Notes         []string    `json:"notes,omitempty"`
	Records       []dnsRecord `json:"records"`
}

type dnsRecord struct {
	Kind       maildns.Kind   `json:"kind"`
	Name       string         `json:"name"`
	Type       string         `json:"type"`
	Value      string         `json:"value"`
	Why        string         `json:"why"`
	Required   bool           `json:"required"`
	Suggestion bool           `json:"suggestion"`
	PolicyURL  string         `json:"policy_url,omitempty"`
	Policy     string         `json:"policy,omitempty"`
	Status     maildns.Status `json:"status,omitempty"`
	Detail     string         `json:"detail,omitempty"`
	Found      []string       `json:"found,omitempty"`
}

func reportRecords(recs []maildns.Record) []dnsRecord {
	out := make([]dnsRecord, len(recs))
	for i, r := range recs {
		out[i] = dnsRecord{Kind: r.Kind, Name: r.Name, Type: r.Type, Value: r.Value, Why: r.Why,
			Required: r.Required, Suggestion: r.Suggestion, PolicyURL: r.PolicyURL, Policy: r.Policy}
	}
	return out
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
