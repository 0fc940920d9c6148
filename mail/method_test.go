package mail_test

import (
	"strings"
	"testing"

	"github.com/otpd/otpd"
)

// A method notice says which method changed and who changed it, in both
// parts, and links nowhere: a code and a deny token left in its data by
// mistake reach neither part.
func TestComposeMethodChanged(t *testing.T) {
	subjects := map[string]map[string]string{
		"en": {"totp_added": "An authenticator app was added to your account", "totp_removed": "The authenticator app was removed from your account",
			"recovery_codes_added": "New recovery codes were made for your account", "recovery_codes_removed": "Your recovery codes were removed",
			"recovery_code_used": "A recovery code was used to get into your account"},
		"de": {"totp_added": "Ihrem Konto wurde eine Authenticator-App hinzugefügt", "totp_removed": "Die Authenticator-App wurde aus Ihrem Konto entfernt",
			"recovery_codes_added": "Für Ihr Konto wurden neue Wiederherstellungscodes erstellt", "recovery_codes_removed": "Ihre Wiederherstellungscodes wurden entfernt",
			"recovery_code_used": "Ein Wiederherstellungscode wurde für Ihr Konto verwendet"},
	}
	for lang, want := range subjects {
		for _, change := range otpd.MethodChanges {
			d := codeData("987654", otpd.PurposeStepUp)
			d.Lang, d.Change = lang, change
			e := mustCompose(t, composer(), otpd.MessageMethodChanged, d)
			if e.Subject != want[change] {
				t.Errorf("%s %s: subject %q, want %q", lang, change, e.Subject, want[change])
			}
			noCode(t, "method notice", e)
			for name, body := range bodies(e) {
				if !strings.Contains(body, "198.51.100.23") || !strings.Contains(body, "(Ada@example.com)") {
					t.Errorf("%s %s: %s part lacks who or whose:\n%s", lang, change, name, body)
				}
				if l := linkPattern.FindAllString(body, -1); len(l) != 0 || strings.Contains(body, "/deny/") {
					t.Errorf("%s %s: %s part links to %q", lang, change, name, l)
				}
			}
		}
	}
	d := codeData("987654", otpd.PurposeStepUp)
	d.Change = "passkey_added"
	if _, err := composer().Compose(otpd.OutboxMessage{Kind: otpd.MessageMethodChanged, To: otpd.MustParseAddress("ada@example.com")}, d); err == nil {
		t.Error("an unknown method change was composed")
	}
}
