package pages

import (
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/signin"
)

// methodViews are the views of the methods' pages, for
// TestEveryTemplateRunsWithItsView, filled to take every branch.
func methodViews(l layout, code func(otpd.Purpose) *codeView) map[string]view {
	at := time.Date(2026, 3, 3, 14, 2, 0, 0, time.UTC)
	factor := code(otpd.PurposeSignIn)
	factor.Flow.AfterPassword, factor.ToRecovery = true, false
	return map[string]view{
		"methods.html": &methodsView{layout: l, TOTP: &otpd.Method{Kind: otpd.MethodTOTP, CreatedAt: at, LastUsedAt: at},
			RecoveryCodes: &otpd.Method{Kind: otpd.MethodRecoveryCodes, CreatedAt: at, CodesLeft: 1}},
		"recovery_codes.html": &recoveryCodesView{layout: l, Codes: []string{"ABCDE-FGHJK"}, Download: "data:text/plain,x"},
		"totp.html": &totpView{layout: l, Enrolment: signin.TOTPEnrolment{Secret: "ABCD", URL: "otpauth://totp/x", Token: "t", ExpiresAt: at},
			Grouped: "ABCD"},
		"remove_method.html": &removeMethodView{layout: l, Kind: otpd.MethodTOTP, Path: "/account/methods/authenticator/remove"},
		"stepup_factor.html": &l,
		"factor.html":        factor,
	}
}
