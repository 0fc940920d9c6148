package signin

import (
	"context"
	"crypto/rand"
	"strings"

	"github.com/otpd/otpd"
)

// RecoveryCodeCount is how many codes a set holds.
const RecoveryCodeCount = 10

// recoveryAlphabet leaves out what reads alike (0 and O, 1, I and L): 31
// symbols, so that a code of ten holds about 49.5 bits, beyond any
// guessing the budgets allow.
const recoveryAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

const recoveryLen = 10

// NewRecoveryCodes makes the caller a new set of recovery codes, after a
// step-up: the old set, if any, dies with it. The codes are returned this
// once; the store keeps only their MACs.
func (e *Engine) NewRecoveryCodes(ctx context.Context, c Caller, r Requester) ([]string, error) {
	_, acct, err := e.sensitive(c)
	if err != nil {
		return nil, err
	}
	codes := make([]string, RecoveryCodeCount)
	macs := make([][]byte, RecoveryCodeCount)
	for i := range codes {
		codes[i] = newRecoveryCode()
		macs[i] = e.recoveryMAC(acct.ID, codes[i])
	}
	m := otpd.Method{ID: newID(), AccountID: acct.ID, Kind: otpd.MethodRecoveryCodes, CreatedAt: e.now()}
	if err := e.addMethod(ctx, acct, m, macs, r); err != nil {
		return nil, err
	}
	for i, code := range codes {
		codes[i] = code[:5] + "-" + code[5:]
	}
	return codes, nil
}

func newRecoveryCode() string {
	b := make([]byte, recoveryLen)
	for i := range b {
		b[i] = recoveryAlphabet[randIndex(len(recoveryAlphabet))]
	}
	return string(b)
}

// randIndex is a uniform index below n (n at most 256), by rejection.
func randIndex(n int) int {
	limit := 256 - 256%n
	var b [1]byte
	for {
		_, _ = rand.Read(b[:])
		if int(b[0]) < limit {
			return int(b[0]) % n
		}
	}
}

// recoveryMAC binds a recovery code to its account under the server
// secret, as a code's MAC binds it to its challenge.
func (e *Engine) recoveryMAC(accountID, code string) []byte {
	return e.codes.MAC("recovery-codes:"+accountID, code)
}

// normalizeRecovery reads a typed recovery code: case, spaces and dashes
// do not matter.
func normalizeRecovery(s string) (string, error) {
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '\t':
			return -1
		}
		return r
	}, strings.ToUpper(strings.TrimSpace(s)))
	if len(s) != recoveryLen || strings.Trim(s, recoveryAlphabet) != "" {
		return "", otpd.FieldError("code", "enter one of your recovery codes: ten letters and digits, like ABCDE-FGHJK")
	}
	return s, nil
}
