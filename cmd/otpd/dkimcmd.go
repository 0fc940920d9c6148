package main

import (
	"crypto"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/otpd/otpd/dkim"
)

const dkimUsage = `Usage: otpd dkim keygen --domain DOMAIN [--selector S] [--type rsa|ed25519] [--out FILE]

Makes a DKIM private key, writes it to FILE (readable by its owner only; it
refuses to overwrite), and prints the DNS TXT record to publish. Point
OTPD_DKIM_KEY_FILE (or dkim.key_file) at the file, and OTPD_DKIM_SELECTOR at
the selector.

Flags:
`

func dkimCommand(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "keygen" {
		fmt.Fprint(stderr, dkimUsage)
		return errors.New(`dkim: the one subcommand is "keygen"`)
	}
	fs := flag.NewFlagSet("dkim keygen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	domain := fs.String("domain", "", "the signing `domain`, the domain of your From address (required)")
	selector := fs.String("selector", "otpd", "the DNS `selector`")
	typ := fs.String("type", "rsa", "the key `type`: rsa (2048 bits; every receiver checks it) or ed25519 (a second signature)")
	out := fs.String("out", "", "where to write the key (default dkim-SELECTOR-TYPE.key)")
	fs.Usage = func() { fmt.Fprint(fs.Output(), dkimUsage); fs.PrintDefaults() }
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *domain == "" {
		fs.Usage()
		return errors.New("dkim keygen: --domain is required")
	}
	if *out == "" {
		*out = fmt.Sprintf("dkim-%s-%s.key", *selector, *typ)
	}
	var key crypto.Signer
	var err error
	switch *typ {
	case "rsa":
		key, err = dkim.GenerateRSA()
	case "ed25519":
		key, err = dkim.GenerateEd25519()
	default:
		return fmt.Errorf("dkim keygen: --type must be rsa or ed25519, got %q", *typ)
	}
	if err != nil {
		return err
	}
	if err := dkim.WriteKey(*out, key); err != nil {
		return err
	}
	name, value, err := dkim.TXTRecord(*selector, strings.ToLower(*domain), key.Public())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Wrote the private key to %s. Keep it secret.\n\n", *out)
	fmt.Fprintf(stdout, "Publish this DNS TXT record:\n\n%s. IN TXT %s\n\n", name, zoneStrings(value))
	fmt.Fprintf(stdout, "Then start otpd with OTPD_DKIM_KEY_FILE=%s OTPD_DKIM_SELECTOR=%s\n", *out, *selector)
	return nil
}

// zoneStrings splits a TXT value into quoted strings of at most 255 bytes,
// as a zone file needs for an RSA key's record.
func zoneStrings(v string) string {
	var parts []string
	for len(v) > 255 {
		parts = append(parts, `"`+v[:255]+`"`)
		v = v[255:]
	}
	return strings.Join(append(parts, `"`+v+`"`), " ")
}
