package signin

import (
	"github.com/otpd/otpd"
	"github.com/otpd/otpd/risk"
)

// reasons lists why a right password is not enough from this context: a
// code is needed when the owner asked for both always, the device is
// unknown, the country is new for the account, the travel from the last
// sign-in is impossible, or the account's guard is raised. Each reason is
// recorded as said here.
func (e *Engine) reasons(acct otpd.Account, w who) []string {
	now := e.now()
	var rs []string
	if acct.CodeSignInOff {
		rs = append(rs, "this account asks for a password and a code")
	}
	if !w.known {
		rs = append(rs, "new device")
	}
	if !acct.KnowsCountry(w.place.Country) {
		rs = append(rs, "new country: "+w.place.Country)
	}
	if !acct.LastSignInAt.IsZero() {
		if why, impossible := risk.ImpossibleTravel(acct.LastPlace, acct.LastSignInAt, w.place, now, e.policy.MaxTravelKMH); impossible {
			rs = append(rs, why)
		}
	}
	if acct.GuardedAt(now) {
		rs = append(rs, "account guard raised after a report")
	}
	if acct.UnderAttackAt(now) {
		rs = append(rs, "account under attack")
	}
	return rs
}
