package signin

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base32"
	"encoding/base64"
	"encoding/json"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/passcode"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// An authenticator app shares a secret with otpd once, by QR code, and
// then shows a 6-digit code for every 30-second step (RFC 6238, SHA-1,
// which every app reads). A code is accepted for its step and the ones
// either side, to forgive a clock a little off, and never for a step at
// or before the last one accepted: the store moves that step forward in
// the transaction that accepts the code, so a code seen over someone's
// shoulder is worth nothing once used.

const (
	totpPeriod = 30
	totpDigits = 6
	// enrolFor is how long an enrolment waits for its first code.
	enrolFor = 15 * time.Minute
)

var totpOpts = totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// TOTPEnrolment is an authenticator app being added: the secret to give
// the app (as text and as the otpauth URL a QR code carries) and Token,
// which carries it, sealed, to ConfirmTOTP. Nothing is stored until then.
type TOTPEnrolment struct {
	Secret    string
	URL       string
	Token     string
	ExpiresAt time.Time
}

// enrolment is what an enrolment token holds: it is good for its session
// only, until Expires.
type enrolment struct {
	Account string    `json:"a"`
	Session string    `json:"s"`
	Secret  string    `json:"k"`
	Expires time.Time `json:"e"`
}

var errNoTOTP = otpd.Errorf(otpd.EInvalid, "authenticator apps are not available on this server")

var errEnrolment = &otpd.Error{Code: otpd.EInvalid, Field: "enrolment",
	Message: "this set-up has expired or belongs to another session; start adding the app again"}

// StartTOTP begins adding an authenticator app, after a step-up.
func (e *Engine) StartTOTP(ctx context.Context, c Caller) (TOTPEnrolment, error) {
	s, acct, err := e.sensitive(c)
	if err != nil {
		return TOTPEnrolment{}, err
	}
	if e.secrets == nil {
		return TOTPEnrolment{}, errNoTOTP
	}
	secret := make([]byte, 20)
	if _, err := rand.Read(secret); err != nil {
		return TOTPEnrolment{}, internal("make authenticator secret", err)
	}
	key, err := e.totpKey(acct, secret)
	if err != nil {
		return TOTPEnrolment{}, internal("make authenticator secret", err)
	}
	en := enrolment{Account: acct.ID, Session: s.ID, Secret: key.Secret(), Expires: e.now().Add(enrolFor)}
	raw, err := json.Marshal(en)
	if err != nil {
		return TOTPEnrolment{}, internal("encode enrolment", err)
	}
	sealed, err := e.secrets.Seal(raw)
	if err != nil {
		return TOTPEnrolment{}, internal("seal enrolment", err)
	}
	return TOTPEnrolment{Secret: key.Secret(), URL: key.URL(), Token: base64.RawURLEncoding.EncodeToString(sealed),
		ExpiresAt: en.Expires}, nil
}

// ConfirmTOTP adds the authenticator app of an enrolment once it shows a
// right code, after a step-up, and tells the address. It replaces an app
// added before. The confirming code's step is spent with it.
func (e *Engine) ConfirmTOTP(ctx context.Context, c Caller, token, code string, r Requester) error {
	s, acct, err := e.sensitive(c)
	if err != nil {
		return err
	}
	if e.secrets == nil {
		return errNoTOTP
	}
	en, err := e.enrolmentOf(s, acct, token)
	if err != nil {
		return err
	}
	code, ok := passcode.Normalize(code, totpDigits)
	if !ok {
		return otpd.FieldError("code", "enter the 6-digit code your authenticator app shows")
	}
	step := totpStep(en.Secret, code, e.now())
	if step == 0 {
		return &otpd.Error{Code: otpd.EInvalidCode, Field: "code",
			Message: "that code does not match; check that the app's clock is right and type the code it shows now"}
	}
	sealed, err := e.secrets.Seal([]byte(en.Secret))
	if err != nil {
		return internal("seal authenticator secret", err)
	}
	m := otpd.Method{ID: newID(), AccountID: acct.ID, Kind: otpd.MethodTOTP, CreatedAt: e.now(), Secret: sealed, LastStep: step}
	return e.addMethod(ctx, acct, m, nil, r)
}

// Enrolment returns an enrolment StartTOTP made for the caller's session,
// again: for a page that shows its QR code, or asks for its first code
// once more.
func (e *Engine) Enrolment(c Caller, token string) (TOTPEnrolment, error) {
	s, acct, err := signedIn(c)
	if err != nil {
		return TOTPEnrolment{}, err
	}
	if e.secrets == nil {
		return TOTPEnrolment{}, errNoTOTP
	}
	en, err := e.enrolmentOf(s, acct, token)
	if err != nil {
		return TOTPEnrolment{}, err
	}
	secret, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(en.Secret)
	if err != nil {
		return TOTPEnrolment{}, errEnrolment
	}
	key, err := e.totpKey(acct, secret)
	if err != nil {
		return TOTPEnrolment{}, internal("authenticator URL", err)
	}
	return TOTPEnrolment{Secret: en.Secret, URL: key.URL(), Token: token, ExpiresAt: en.Expires}, nil
}

// totpKey is the key an app is given for secret: the otpauth URL names
// this server (its host) and the account's address.
func (e *Engine) totpKey(acct otpd.Account, secret []byte) (*otp.Key, error) {
	issuer := e.policy.Issuer
	if issuer == "" {
		issuer = "otpd"
	}
	return totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: acct.Email.String(), Period: totpPeriod,
		Secret: secret, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
}

// enrolmentOf opens an enrolment token made for session s of acct that
// has not expired.
func (e *Engine) enrolmentOf(s otpd.Session, acct otpd.Account, token string) (enrolment, error) {
	en, err := e.openEnrolment(token)
	if err != nil || en.Account != acct.ID || en.Session != s.ID || !e.now().Before(en.Expires) {
		return enrolment{}, errEnrolment
	}
	return en, nil
}

func (e *Engine) openEnrolment(token string) (enrolment, error) {
	sealed, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return enrolment{}, err
	}
	raw, err := e.secrets.Open(sealed)
	if err != nil {
		return enrolment{}, err
	}
	var en enrolment
	err = json.Unmarshal(raw, &en)
	return en, err
}

// totpStep returns the step among now's and its two neighbours whose code
// is code, the latest if several are, or 0 for none. Every step is
// computed and compared in constant time, so the time taken says nothing
// of which matched.
func totpStep(secret, code string, now time.Time) int64 {
	cur := now.Unix() / totpPeriod
	var found int64
	for _, step := range []int64{cur - 1, cur, cur + 1} {
		want, err := totp.GenerateCodeCustom(secret, time.Unix(step*totpPeriod, 0), totpOpts)
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			found = step
		}
	}
	return found
}

// storedTOTPStep is totpStep for the account's stored authenticator, or 0
// when it has none (the guess still counts).
func (e *Engine) storedTOTPStep(ctx context.Context, accountID, code string) (int64, error) {
	if e.secrets == nil {
		return 0, nil
	}
	ms, err := e.store.Methods(ctx, accountID)
	if err != nil {
		return 0, internal("methods", err)
	}
	for _, m := range ms {
		if m.Kind != otpd.MethodTOTP {
			continue
		}
		secret, err := e.secrets.Open(m.Secret)
		if err != nil {
			return 0, internal("open authenticator secret", err)
		}
		return totpStep(string(secret), code, e.now()), nil
	}
	return 0, nil
}
