package main

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/config"
	"github.com/otpd/otpd/dkim"
	"github.com/otpd/otpd/msgcheck"
	"github.com/otpd/otpd/passcode"
)

const inspectUsage = `Usage: otpd inspect [--json] [flags] FILE.eml|-
       otpd inspect --reports [--json] [flags]

Tells whether a message is one this otpd sent, as it sent it. FILE is the
raw message (a saved .eml, "show original" in a mail client), or - for
standard input. It checks the message's DKIM signatures against this
server's own keys (no DNS is asked), that the From domain is the signing
domain, that its reference (Ref XXXX-XXXX) is the one otpd made for its
Message-ID and is on record, where every link leads, and, for a genuine
code message, that the code is the one otpd made for the request (it
never says whether the code still works).

The verdict is one of:
  genuine       otpd sent it, and it is as it was sent
  altered       otpd sent it, and it was changed on the way
  not_from_us   nothing in it proves otpd sent it

It reads the same configuration as the server (--config, --data,
OTPD_...): the store, the server secret and the DKIM keys. It changes
nothing. It exits with status 1 when the message is not genuine or cannot
be read.

--json prints one object: "verdict", "reasons" (not_from_us: no_signature,
bad_signature, other_key, misaligned, no_reference, unknown_reference,
links_elsewhere), "changes" (altered: body, header, added_header, links), "signatures" (each "domain", "selector", "algorithm",
"result": valid, body_changed, failed, not_ours, malformed),
"from_domain", "aligned", "reference", "message_id", "reference_valid",
"sent" (otpd's record: "kind", "to" masked, "at", "state"), "links" (each
"url", "host", "ours"), "code" (matches, differs, not_checked, or absent)
and "received" (the hosts of the Received headers, newest first).

--reports lists, instead, what people who checked messages on the "Check
a message" page or API reported as not from us: how many, when, and the
domains they claimed, were signed by and linked to, each with its count,
most first. The store keeps the newest 1,000, sealed under the server
secret; each network leaves at most 10 a day. --json prints "reports",
"first", "last", and "from_domains", "signing_domains", "link_hosts" and
"received", each a list of {"name", "count"}.

Flags:
`

// errNotGenuine makes the exit status say what the verdict said.
var errNotGenuine = errors.New("the message is not genuine")

func inspectCommand(ctx context.Context, args []string, env func(string) (string, bool), stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("inspect", inspectUsage, args, stdout, stderr)
	configPath := fs.String("config", "", "read settings from this TOML `file` (default $OTPD_CONFIG)")
	data := fs.String("data", "", "the data `directory` (default ./otpd-data)")
	asJSON := fs.Bool("json", false, "print JSON (fields above)")
	reports := fs.Bool("reports", false, "list the forgery reports people left, instead of checking a message")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *reports {
		if fs.NArg() != 0 {
			return errors.New("inspect --reports takes no message")
		}
		cfg, err := loadConfig(*configPath, *data, env)
		if err != nil {
			return err
		}
		return forgeryReports(ctx, cfg, *asJSON, stdout)
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errors.New("inspect needs one message: a FILE, or - for standard input")
	}
	cfg, err := loadConfig(*configPath, *data, env)
	if err != nil {
		return err
	}
	in := stdin
	if name := fs.Arg(0); name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return fmt.Errorf("inspect: %w", err)
		}
		defer f.Close()
		in = f
	}
	checker, closeStore, err := openChecker(ctx, cfg)
	if err != nil {
		return err
	}
	defer closeStore()
	rep, err := checker.Check(ctx, in)
	var refused *otpd.Error
	if errors.As(err, &refused) {
		return fmt.Errorf("inspect: the message cannot be checked: %s", refused.Message)
	}
	if err != nil {
		return err
	}
	if *asJSON {
		err = writeJSON(stdout, checkJSON(rep))
	} else {
		printReport(stdout, rep)
	}
	if err == nil && rep.Verdict != msgcheck.Genuine {
		err = errNotGenuine
	}
	return err
}

// openChecker opens what a check reads: the store, the server secret
// and the DKIM keys.
func openChecker(ctx context.Context, cfg config.Config) (*msgcheck.Checker, func(), error) {
	book, store, err := openRecords(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	keys, err := checkKeys(cfg)
	if err != nil {
		store.Close()
		return nil, nil, err
	}
	c, err := newChecker(cfg, book, keys, store)
	if err != nil {
		store.Close()
		return nil, nil, err
	}
	return c, func() { store.Close() }, nil
}

// openRecords opens the store, without migrating it, and the server
// secret, which it does not create.
func openRecords(ctx context.Context, cfg config.Config) (*passcode.Book, otpd.Store, error) {
	if _, err := os.Stat(cfg.SecretPath()); errors.Is(err, fs.ErrNotExist) {
		return nil, nil, fmt.Errorf("no server secret at %s: this otpd has sent no message", cfg.SecretPath())
	}
	book, _, err := openBook(cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		return nil, nil, err
	}
	cfg.Migrate = false
	store, err := openStore(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		return nil, nil, err
	}
	return book, store, nil
}

// checkKeys are the public halves of the DKIM keys the server signs
// with, and of those it signed with before (dkim.previous).
func checkKeys(cfg config.Config) ([]msgcheck.Key, error) {
	rsaKey, err := dkim.LoadKey(cfg.DKIMKeyPath())
	if err != nil {
		return nil, fmt.Errorf("dkim.key_file: %w", err)
	}
	s := &dkim.Signer{Domain: cfg.DKIMDomain(), Selector: cfg.DKIM.Selector, RSA: rsaKey}
	if cfg.DKIM.Ed25519KeyFile != "" {
		if s.Ed25519, err = dkim.LoadKey(cfg.DKIM.Ed25519KeyFile); err != nil {
			return nil, fmt.Errorf("dkim.ed25519_key_file: %w", err)
		}
	}
	keys, err := signerKeys(s)
	if err != nil {
		return nil, err
	}
	for i, p := range cfg.DKIM.Previous {
		k, err := dkim.LoadKey(p.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("dkim.previous[%d].key_file: %w", i, err)
		}
		_, record, err := dkim.TXTRecord(p.Selector, s.Domain, k.Public())
		if err != nil {
			return nil, fmt.Errorf("dkim.previous[%d]: %w", i, err)
		}
		keys = append(keys, msgcheck.Key{Domain: s.Domain, Selector: p.Selector, Record: record})
	}
	return keys, nil
}

// signerKeys are the public halves of a signer's keys, as the check
// reads them.
func signerKeys(s *dkim.Signer) ([]msgcheck.Key, error) {
	keys := []struct {
		selector string
		key      crypto.Signer
	}{{s.Selector, s.RSA}, {s.EdSelector(), s.Ed25519}}
	var out []msgcheck.Key
	for _, k := range keys {
		if k.key == nil {
			continue
		}
		_, record, err := dkim.TXTRecord(k.selector, s.Domain, k.key.Public())
		if err != nil {
			return nil, err
		}
		out = append(out, msgcheck.Key{Domain: s.Domain, Selector: k.selector, Record: record})
	}
	return out, nil
}

// newChecker makes the checker the server and the command share.
func newChecker(cfg config.Config, book *passcode.Book, keys []msgcheck.Key, store otpd.Store) (*msgcheck.Checker, error) {
	origin, err := url.Parse(cfg.PublicOrigin())
	if err != nil {
		return nil, fmt.Errorf("public_url: %w", err)
	}
	return &msgcheck.Checker{Keys: keys, Origin: origin, Ref: book.MessageRef, MAC: book.MAC, Records: store}, nil
}

var verdictWords = map[msgcheck.Verdict]string{
	msgcheck.Genuine:   "genuine: this otpd sent the message, and it is as it was sent",
	msgcheck.Altered:   "altered: this otpd sent the message, and it was changed after it left",
	msgcheck.NotFromUs: "not from us: nothing in the message proves this otpd sent it",
}

var reasonWords = map[msgcheck.Reason]string{
	msgcheck.ReasonNoSignature:  "it has no DKIM signature",
	msgcheck.ReasonBadSignature: "its signature names our key but does not verify",
	msgcheck.ReasonOtherKey:     "it is signed by a key that is not ours",
	msgcheck.ReasonMisaligned:   "its From domain is not the signing domain",
	msgcheck.ReasonNoReference:  "it carries no reference or no Message-ID",
	msgcheck.ReasonUnknownRef:   "its reference is not one we made for its Message-ID",
	msgcheck.ReasonLinksAway:    "it links somewhere other than this server",
}

var changeWords = map[msgcheck.Change]string{
	msgcheck.ChangeBody:        "its text was changed",
	msgcheck.ChangeHeader:      "a signed header (From, To, Subject...) was changed",
	msgcheck.ChangeAddedHeader: "a header a reader relies on (Reply-To, a second From...) was added",
	msgcheck.ChangeLinks:       "it now links somewhere other than this server",
}

func printReport(w io.Writer, r msgcheck.Report) {
	fmt.Fprintf(w, "Verdict:     %s\n", verdictWords[r.Verdict])
	for _, why := range r.Reasons {
		fmt.Fprintf(w, "  because    %s\n", reasonWords[why])
	}
	for _, c := range r.Changes {
		fmt.Fprintf(w, "  changed    %s\n", changeWords[c])
	}
	fmt.Fprintf(w, "Message-ID:  %s\n", or(r.MessageID, "(none)"))
	ref := "(none)"
	if r.Ref != "" {
		ref = r.Ref + map[bool]string{true: " (made for this Message-ID)", false: " (not made for this Message-ID)"}[r.RefValid]
	}
	fmt.Fprintf(w, "Reference:   %s\n", ref)
	if r.Sent != nil {
		fmt.Fprintf(w, "On record:   a %s message to %s, queued %s, %s\n", r.Sent.Kind, r.Sent.To.Masked(),
			r.Sent.CreatedAt.UTC().Format(time.RFC3339), r.Sent.State)
	} else {
		fmt.Fprintln(w, "On record:   no message with this reference and Message-ID")
	}
	fmt.Fprintf(w, "From domain: %s (%s)\n", or(r.FromDomain, "(unreadable)"),
		map[bool]string{true: "aligned with a signature of ours", false: "not aligned with a signature of ours"}[r.Aligned])
	fmt.Fprintln(w, "Signatures:")
	if len(r.Signatures) == 0 {
		fmt.Fprintln(w, "  (none)")
	}
	for _, s := range r.Signatures {
		fmt.Fprintf(w, "  d=%s s=%s a=%s: %s\n", s.Domain, s.Selector, s.Algorithm, s.Result)
	}
	fmt.Fprintln(w, "Links:")
	if len(r.Links) == 0 {
		fmt.Fprintln(w, "  (none)")
	}
	for _, l := range r.Links {
		fmt.Fprintf(w, "  %-9s %s\n", map[bool]string{true: "ours", false: "ELSEWHERE"}[l.Ours], l.URL)
	}
	if r.Code != msgcheck.CodeNone {
		fmt.Fprintf(w, "Code:        %s\n", map[msgcheck.CodeResult]string{
			msgcheck.CodeMatches:    "the code otpd made for this request",
			msgcheck.CodeDiffers:    "NOT the code otpd made for this request",
			msgcheck.CodeNotChecked: "not compared, since the message is not as otpd sent it",
		}[r.Code])
	}
	if len(r.Received) > 0 {
		fmt.Fprintf(w, "Received:    %s\n", strings.Join(r.Received, " <- "))
	}
}

// inspectJSON is the report as --json and the API print it.
type inspectJSON struct {
	Verdict    msgcheck.Verdict    `json:"verdict"`
	Reasons    []msgcheck.Reason   `json:"reasons"`
	Changes    []msgcheck.Change   `json:"changes"`
	Signatures []signatureJSON     `json:"signatures"`
	FromDomain string              `json:"from_domain"`
	Aligned    bool                `json:"aligned"`
	Reference  string              `json:"reference"`
	MessageID  string              `json:"message_id"`
	RefValid   bool                `json:"reference_valid"`
	Sent       *sentJSON           `json:"sent"`
	Links      []linkJSON          `json:"links"`
	Code       msgcheck.CodeResult `json:"code,omitempty"`
	Received   []string            `json:"received"`
}

type signatureJSON struct {
	Domain    string             `json:"domain"`
	Selector  string             `json:"selector"`
	Algorithm string             `json:"algorithm"`
	Result    msgcheck.SigResult `json:"result"`
}

type sentJSON struct {
	Kind  otpd.MessageKind  `json:"kind"`
	To    string            `json:"to"`
	At    time.Time         `json:"at"`
	State otpd.MessageState `json:"state"`
}

type linkJSON struct {
	URL  string `json:"url"`
	Host string `json:"host"`
	Ours bool   `json:"ours"`
}

func checkJSON(r msgcheck.Report) inspectJSON {
	out := inspectJSON{Verdict: r.Verdict, Reasons: nonNil(r.Reasons), Changes: nonNil(r.Changes),
		Signatures: []signatureJSON{}, FromDomain: r.FromDomain, Aligned: r.Aligned, Reference: r.Ref,
		MessageID: r.MessageID, RefValid: r.RefValid, Links: []linkJSON{}, Code: r.Code, Received: nonNil(r.Received)}
	for _, s := range r.Signatures {
		out.Signatures = append(out.Signatures, signatureJSON{s.Domain, s.Selector, s.Algorithm, s.Result})
	}
	for _, l := range r.Links {
		out.Links = append(out.Links, linkJSON{l.URL, l.Host, l.Ours})
	}
	if r.Sent != nil {
		out.Sent = &sentJSON{Kind: r.Sent.Kind, To: r.Sent.To.Masked(), At: r.Sent.CreatedAt.UTC(), State: r.Sent.State}
	}
	return out
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
