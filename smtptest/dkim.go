package smtptest

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/emersion/go-msgauth/dkim"
)

// VerifyDKIM checks every DKIM signature on raw with go-msgauth, an
// implementation independent of otpd's signer (go-mail), looking keys up
// in records (TXT name to value) instead of DNS. It returns the algorithms
// (a= tags) of the signatures, in order, when all of them verify; it fails
// when there is none or any one does not verify.
func VerifyDKIM(raw []byte, records map[string]string) ([]string, error) {
	vs, err := dkim.VerifyWithOptions(bytes.NewReader(raw), &dkim.VerifyOptions{
		LookupTXT: func(name string) ([]string, error) {
			if v, ok := records[name]; ok {
				return []string{v}, nil
			}
			return nil, fmt.Errorf("no TXT record at %s", name)
		},
	})
	if err != nil {
		return nil, fmt.Errorf("smtptest: verify DKIM: %w", err)
	}
	if len(vs) == 0 {
		return nil, errors.New("smtptest: message has no DKIM signature")
	}
	for i, v := range vs {
		if v.Err != nil {
			return nil, fmt.Errorf("smtptest: DKIM signature %d of %s: %w", i+1, v.Domain, v.Err)
		}
	}
	head, _, _ := bytes.Cut(raw, []byte("\r\n\r\n"))
	unfolded := strings.NewReplacer("\r\n ", " ", "\r\n\t", " ").Replace(string(head))
	algs := algTag.FindAllStringSubmatch(unfolded, -1)
	if len(algs) != len(vs) {
		return nil, fmt.Errorf("smtptest: found %d a= tags for %d signatures", len(algs), len(vs))
	}
	var out []string
	for _, a := range algs {
		out = append(out, a[1])
	}
	return out, nil
}

// algTag finds the a= tag of each DKIM-Signature; go-msgauth verifies the
// algorithm but does not report it.
var algTag = regexp.MustCompile(`(?mi)^DKIM-Signature:[^\r\n]*?[; \t]a=([a-z0-9-]+)`)
