package mail_test

import (
	"strings"
	"testing"

	"github.com/otpd/otpd"
)

// The notice a disabled account's owner gets instead of a code: it says
// the account is disabled and whom to ask, in their language, carries no
// code even when the data holds one by mistake, and no link.
func TestComposeDisabled(t *testing.T) {
	for lang, says := range map[string][]string{
		"en": {"Your account is disabled", "an administrator has disabled the account", "No code was sent",
			"contact the people who run otpd at https://login.example.com/", "08:26 UTC on Fri 14 March 2025", "Lagos, Nigeria"},
		"de": {"Ihr Konto ist gesperrt", "ein Administrator hat das Konto gesperrt", "Es wurde kein Code gesendet",
			"an die Betreiber von otpd unter https://login.example.com/", "14.03.2025, 08:26 UTC", "Lagos, Nigeria"},
	} {
		for _, p := range []otpd.Purpose{otpd.PurposeSignIn, otpd.PurposeResetPassword} {
			d := codeData("987654", p)
			d.Lang = lang
			e := mustCompose(t, composer(), otpd.MessageDisabled, d)
			noCode(t, lang+" disabled", e)
			if strings.Contains(e.Text, "tok/1") || strings.Contains(e.HTML, "tok/1") || strings.ContainsAny(e.Subject, "\r\n") {
				t.Errorf("%s: the notice carries the deny link or a broken subject:\n%s", lang, e.Text)
			}
			for _, want := range append(says, "Ada@example.com", "198.51.100.23") {
				if !strings.Contains(e.Subject+"\n"+e.Text, want) || (want != says[0] && !strings.Contains(e.HTML, want)) {
					t.Errorf("%s %s disabled notice lacks %q:\n%s\n%s", lang, p, want, e.Text, e.HTML)
				}
			}
		}
	}
}
