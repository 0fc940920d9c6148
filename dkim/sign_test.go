package dkim_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rsa"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	msgauth "github.com/emersion/go-msgauth/dkim"

	"github.com/otpd/otpd/dkim"
)

const message = "From: otpd <no-reply@example.com>\r\n" +
	"To: <alice@example.org>\r\n" +
	"Subject: Your sign-in code\r\n" +
	"Date: Tue, 03 Nov 2026 10:00:00 +0000\r\n" +
	"Message-ID: <ch1@example.com>\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: text/plain; charset=UTF-8\r\n" +
	"\r\n" +
	"Your code is 123456.\r\n" +
	"Nobody from us will ever ask you for it.\r\n"

// testSigner makes a Signer with fresh RSA and Ed25519 keys, and the DNS
// records that publish them, built with TXTRecord.
func testSigner(t *testing.T) (*dkim.Signer, map[string]string) {
	t.Helper()
	rsaKey, err := dkim.GenerateRSA()
	if err != nil {
		t.Fatal(err)
	}
	edKey, err := dkim.GenerateEd25519()
	if err != nil {
		t.Fatal(err)
	}
	s := &dkim.Signer{Domain: "example.com", Selector: "otpd", RSA: rsaKey, Ed25519: edKey}
	records := map[string]string{}
	for sel, pub := range map[string]any{s.Selector: rsaKey.Public(), s.EdSelector(): edKey.Public()} {
		name, value, err := dkim.TXTRecord(sel, s.Domain, pub)
		if err != nil {
			t.Fatal(err)
		}
		records[name] = value
	}
	return s, records
}

// verify checks raw with go-msgauth, an implementation independent of the
// signer's, looking keys up in records only. It returns one error per
// signature (nil when it verifies) and the names looked up.
func verify(t *testing.T, raw []byte, records map[string]string) (errs []error, lookups []string) {
	t.Helper()
	var mu sync.Mutex
	vs, err := msgauth.VerifyWithOptions(bytes.NewReader(raw), &msgauth.VerifyOptions{
		LookupTXT: func(name string) ([]string, error) {
			mu.Lock()
			lookups = append(lookups, name)
			mu.Unlock()
			if v, ok := records[name]; ok {
				return []string{v}, nil
			}
			return nil, fmt.Errorf("no TXT record at %s", name)
		},
	})
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	for _, v := range vs {
		errs = append(errs, v.Err)
	}
	slices.Sort(lookups)
	return errs, lookups
}

func TestSignVerifiesWithIndependentVerifier(t *testing.T) {
	s, records := testSigner(t)
	signed, err := s.Sign([]byte(message))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasSuffix(signed, []byte(message)) {
		t.Fatal("Sign changed the message instead of prepending headers")
	}
	head := unfold(string(signed[:len(signed)-len(message)]))
	for _, want := range []string{"a=rsa-sha256", "a=ed25519-sha256", "c=relaxed/relaxed", "d=example.com", "s=otpd;", "s=otpd-ed25519;"} {
		if !strings.Contains(head, want) {
			t.Errorf("signature headers lack %q:\n%s", want, head)
		}
	}
	// h= lists From twice: the second, absent From is signed as empty, so
	// a From added later breaks the signature.
	if !strings.Contains(head, "h=From:To:Subject:Date:Message-ID:MIME-Version:Content-Type:From;") {
		t.Errorf("signed header list is not the expected one:\n%s", head)
	}

	errs, lookups := verify(t, signed, records)
	if len(errs) != 2 {
		t.Fatalf("got %d signatures, want 2", len(errs))
	}
	for i, err := range errs {
		if err != nil {
			t.Errorf("signature %d does not verify: %v", i, err)
		}
	}
	want := []string{"otpd-ed25519._domainkey.example.com", "otpd._domainkey.example.com"}
	if !slices.Equal(lookups, want) {
		t.Errorf("verifier looked up %v, want %v", lookups, want)
	}
}

func TestSignRSAOnly(t *testing.T) {
	s, records := testSigner(t)
	s.Ed25519 = nil
	signed, err := s.Sign([]byte(message))
	if err != nil {
		t.Fatal(err)
	}
	errs, _ := verify(t, signed, records)
	if len(errs) != 1 || errs[0] != nil {
		t.Fatalf("want one verifying RSA signature, got %v", errs)
	}
}

func TestTamperingBreaksBothSignatures(t *testing.T) {
	s, records := testSigner(t)
	signed, err := s.Sign([]byte(message))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, old, new string }{
		{"subject", "Subject: Your sign-in code", "Subject: Your sign-in codes"},
		{"body", "Your code is 123456.", "Your code is 654321."},
		{"second From", "To: <alice@example.org>\r\n", "To: <alice@example.org>\r\nFrom: evil <x@evil.example>\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tampered := bytes.Replace(signed, []byte(tt.old), []byte(tt.new), 1)
			if bytes.Equal(tampered, signed) {
				t.Fatal("test did not change the message")
			}
			errs, _ := verify(t, tampered, records)
			for i, err := range errs {
				if err == nil {
					t.Errorf("signature %d still verifies after changing the %s", i, tt.name)
				}
			}
		})
	}
}

func TestSignSurvivesRelaxedChanges(t *testing.T) {
	s, records := testSigner(t)
	signed, err := s.Sign([]byte(message))
	if err != nil {
		t.Fatal(err)
	}
	// Relays re-fold headers and pad whitespace; relaxed canonicalization
	// is chosen so that such changes keep the signatures valid.
	changed := bytes.Replace(signed, []byte("Subject: Your sign-in code"), []byte("Subject:   Your\r\n  sign-in code  "), 1)
	errs, _ := verify(t, changed, records)
	for i, err := range errs {
		if err != nil {
			t.Errorf("signature %d broken by whitespace change: %v", i, err)
		}
	}
}

func TestSignRefusesBadSigner(t *testing.T) {
	rsaKey, err := dkim.GenerateRSA()
	if err != nil {
		t.Fatal(err)
	}
	_, edPriv, _ := ed25519.GenerateKey(nil)
	tests := []struct {
		name string
		s    dkim.Signer
		want string
	}{
		{"no domain", dkim.Signer{Selector: "s", RSA: rsaKey}, "no Domain"},
		{"no selector", dkim.Signer{Domain: "d", RSA: rsaKey}, "no Selector"},
		{"no RSA", dkim.Signer{Domain: "d", Selector: "s", Ed25519: edPriv}, "no RSA key"},
		{"Ed25519 as RSA", dkim.Signer{Domain: "d", Selector: "s", RSA: edPriv}, "want *rsa.PrivateKey"},
		{"RSA as Ed25519", dkim.Signer{Domain: "d", Selector: "s", RSA: rsaKey, Ed25519: rsaKey}, "want ed25519.PrivateKey"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.s.Sign([]byte(message))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Sign: got %v, want error containing %q", err, tt.want)
			}
		})
	}
	s := dkim.Signer{Domain: "d", Selector: "s", RSA: rsaKey}
	if _, err := s.Sign([]byte("From: a@b\nSubject: bare LF\n\nbody\n")); err == nil {
		t.Error("Sign accepted a message without CRLF line endings")
	}
}

func TestSignConcurrently(t *testing.T) {
	s, records := testSigner(t)
	var wg sync.WaitGroup
	results := make([][]byte, 8)
	for i := range results {
		wg.Go(func() {
			signed, err := s.Sign([]byte(message))
			if err != nil {
				t.Error(err)
			}
			results[i] = signed
		})
	}
	wg.Wait()
	for _, signed := range results {
		errs, _ := verify(t, signed, records)
		if len(errs) != 2 || errs[0] != nil || errs[1] != nil {
			t.Fatalf("concurrent signature does not verify: %v", errs)
		}
	}
}

func TestTXTRecord(t *testing.T) {
	rsaKey, err := dkim.GenerateRSA()
	if err != nil {
		t.Fatal(err)
	}
	name, value, err := dkim.TXTRecord("sel", "example.com", rsaKey.Public())
	if err != nil {
		t.Fatal(err)
	}
	if name != "sel._domainkey.example.com" || !strings.HasPrefix(value, "v=DKIM1; k=rsa; p=MII") {
		t.Errorf("RSA record = %q %q", name, value)
	}
	pub, _, _ := ed25519.GenerateKey(nil)
	_, value, err = dkim.TXTRecord("sel", "example.com", pub)
	if err != nil {
		t.Fatal(err)
	}
	// 32 bytes are 44 base64 characters: the raw key, not a DER wrapper.
	if p, ok := strings.CutPrefix(value, "v=DKIM1; k=ed25519; p="); !ok || len(p) != 44 {
		t.Errorf("Ed25519 record = %q", value)
	}
	if _, _, err := dkim.TXTRecord("sel", "example.com", &rsa.PrivateKey{}); err == nil {
		t.Error("TXTRecord accepted a private key as the public key")
	}
}

func unfold(s string) string {
	return strings.NewReplacer("\r\n ", "", "\r\n\t", "", " ", "").Replace(s)
}
