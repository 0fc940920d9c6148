// Package passcode makes single-use codes, binds them to their challenge
// with an HMAC, and seals outbox payloads, all under keys derived from one
// server secret.
package passcode

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strings"
)

// MinSecretLen is the least secret length accepted: 256 bits.
const MinSecretLen = 32

// Book implements otpd.Codes. Its zero value is not usable; use New.
// A Book is safe for concurrent use.
type Book struct {
	digits  int
	max     *big.Int
	macKey  []byte
	denyKey []byte
	devKey  []byte
	refKey  []byte
	aead    cipher.AEAD
	rand    io.Reader
}

// New returns a Book making codes of the given number of digits, with keys
// derived from secret. Separate keys for the MAC and the seal mean that
// neither use can be turned against the other.
func New(secret []byte, digits int) (*Book, error) {
	if len(secret) < MinSecretLen {
		return nil, fmt.Errorf("passcode: secret has %d bytes, want at least %d", len(secret), MinSecretLen)
	}
	if digits < 6 || digits > 10 {
		return nil, fmt.Errorf("passcode: %d digits, want 6 to 10", digits)
	}
	block, err := aes.NewCipher(derive(secret, "otpd/v1/outbox-seal"))
	if err != nil {
		return nil, fmt.Errorf("passcode: seal key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("passcode: seal key: %w", err)
	}
	max := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(digits)), nil)
	return &Book{
		digits:  digits,
		max:     max,
		macKey:  derive(secret, "otpd/v1/code-mac"),
		denyKey: derive(secret, "otpd/v1/deny-link"),
		devKey:  derive(secret, "otpd/v1/device-cookie"),
		refKey:  derive(secret, "otpd/v1/message-ref"),
		aead:    aead,
		rand:    rand.Reader,
	}, nil
}

func derive(secret []byte, label string) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(label))
	return m.Sum(nil)
}

// Digits is the length of the codes this Book makes.
func (b *Book) Digits() int { return b.digits }

// New returns a code of b.Digits() digits, each value equally likely:
// crypto/rand.Int draws uniformly below 10^digits, with no modulo bias.
func (b *Book) New() (string, error) {
	n, err := rand.Int(b.rand, b.max)
	if err != nil {
		return "", fmt.Errorf("passcode: new code: %w", err)
	}
	return fmt.Sprintf("%0*d", b.digits, n), nil
}

// MAC returns HMAC-SHA256 over the challenge ID and the code. The ID comes
// first and both are length-delimited by a zero byte, which neither holds.
func (b *Book) MAC(challengeID, code string) []byte {
	m := hmac.New(sha256.New, b.macKey)
	m.Write([]byte(challengeID))
	m.Write([]byte{0})
	m.Write([]byte(code))
	return m.Sum(nil)
}

// Seal encrypts plaintext with AES-256-GCM under a random nonce, which it
// prepends to the result.
func (b *Book) Seal(plaintext []byte) ([]byte, error) { return b.seal(plaintext, nil) }

// reportData binds a sealed forgery report to its use: a report does not
// open as an outbox payload (which may hold a code), nor one as a report.
var reportData = []byte("otpd/v1/forgery-report")

// SealReport seals a forgery report for the operator, as Seal does an
// outbox payload, but bound to its use.
func (b *Book) SealReport(plaintext []byte) ([]byte, error) { return b.seal(plaintext, reportData) }

// OpenReport reverses SealReport.
func (b *Book) OpenReport(sealed []byte) ([]byte, error) { return b.open(sealed, reportData) }

func (b *Book) seal(plaintext, data []byte) ([]byte, error) {
	nonce := make([]byte, b.aead.NonceSize(), b.aead.NonceSize()+len(plaintext)+b.aead.Overhead())
	if _, err := io.ReadFull(b.rand, nonce); err != nil {
		return nil, fmt.Errorf("passcode: seal: %w", err)
	}
	return b.aead.Seal(nonce, nonce, plaintext, data), nil
}

// ErrUnsealable means a sealed payload was cut short, altered, or sealed
// under another secret.
var ErrUnsealable = errors.New("passcode: payload cannot be unsealed")

// Open reverses Seal.
func (b *Book) Open(sealed []byte) ([]byte, error) { return b.open(sealed, nil) }

func (b *Book) open(sealed, data []byte) ([]byte, error) {
	n := b.aead.NonceSize()
	if len(sealed) < n+b.aead.Overhead() {
		return nil, ErrUnsealable
	}
	out, err := b.aead.Open(nil, sealed[:n], sealed[n:], data)
	if err != nil {
		return nil, ErrUnsealable
	}
	return out, nil
}

// Normalize turns what a person typed into a code of the given length:
// spaces and dashes, which people copy from a grouped code, are dropped.
// It reports false when what is left is not exactly that many digits.
func Normalize(s string, digits int) (string, bool) {
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\t' || r == '\u00a0' {
			return -1
		}
		return r
	}, s)
	if len(s) != digits {
		return "", false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return "", false
		}
	}
	return s, true
}

// tagLen is the length of a signed token's tag: 128 bits of HMAC, more
// than enough against forgery, short enough for a link.
const tagLen = 16

// DenyToken returns "challengeID.tag", where tag is an HMAC of the ID. The
// link needs no stored state, and nobody without the secret can make one
// that cancels someone else's code.
func (b *Book) DenyToken(challengeID string) string { return sign(b.denyKey, challengeID, challengeID) }

// CheckDenyToken verifies a token made by DenyToken and returns its
// challenge ID.
func (b *Book) CheckDenyToken(token string) (string, bool) {
	return check(b.denyKey, token, func(id string) string { return id })
}

// DeviceToken returns the value of a device cookie made for one account,
// "deviceID.tag", where tag is an HMAC of the account and device IDs: a
// browser cannot name a device it was not given, so it cannot pass for
// the owner's remembered one by guessing, and a cookie made for one
// account names no device of another, whose browser it may be planted in.
//
// Cookies made before the tag covered the account (an HMAC of the device
// ID alone) no longer verify, so their browsers count as unknown until
// their owners remember them again, with a code. Which account such a
// cookie was made for cannot be told: one planted in another owner's
// browser was also handed back to that owner, identical, when they ticked
// "Remember this device". Honouring old cookies where the account
// remembers their device would keep such a plant working.
func (b *Book) DeviceToken(accountID, deviceID string) string {
	return sign(b.devKey, deviceID, deviceOf(accountID, deviceID))
}

// CheckDeviceToken verifies that token was made by DeviceToken for
// accountID and returns its device ID; a token made for another account,
// or for none, does not verify.
func (b *Book) CheckDeviceToken(token, accountID string) (string, bool) {
	if accountID == "" {
		return "", false
	}
	return check(b.devKey, token, func(id string) string { return deviceOf(accountID, id) })
}

// deviceOf is what a device cookie's tag covers: the account ID, a zero
// byte, which no account ID holds, and the device ID.
func deviceOf(accountID, deviceID string) string { return accountID + "\x00" + deviceID }

// sign returns "id.tag", tag an HMAC of signed.
func sign(key []byte, id, signed string) string {
	return id + "." + base64.RawURLEncoding.EncodeToString(tag(key, signed))
}

// check verifies a token made by sign and returns its ID; signed says
// what the tag of an ID covers.
func check(key []byte, token string, signed func(id string) string) (string, bool) {
	id, t, ok := strings.Cut(token, ".")
	if !ok || id == "" || len(t) != base64.RawURLEncoding.EncodedLen(tagLen) {
		return "", false
	}
	got, err := base64.RawURLEncoding.DecodeString(t)
	if err != nil || !hmac.Equal(got, tag(key, signed(id))) {
		return "", false
	}
	return id, true
}

func tag(key []byte, signed string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(signed))
	return m.Sum(nil)[:tagLen]
}

// refAlphabet is otpd.RefAlphabet (Crockford's base32), repeated here so
// that passcode imports nothing; a test holds the two equal.
const refAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// MessageRef returns the reference of a message, "K7QP-2MXD": the first
// 40 bits of an HMAC of its Message-ID under a key of its own, in
// Crockford's base32. It is stable (a message sent twice by the
// at-least-once outbox carries one reference), and nobody without the
// secret can make the reference of a Message-ID.
func (b *Book) MessageRef(messageID string) string {
	sum := tag(b.refKey, messageID)
	var bits uint64
	for _, c := range sum[:5] {
		bits = bits<<8 | uint64(c)
	}
	var out [9]byte
	for i, j := 7, 8; i >= 0; i, j = i-1, j-1 {
		if j == 4 {
			out[j] = '-'
			j--
		}
		out[j] = refAlphabet[bits&31]
		bits >>= 5
	}
	return string(out[:])
}
