package signin

import (
	"github.com/otpd/otpd"
	"github.com/otpd/otpd/risk"
)

// reasons lists why a right password is not enough from this context: a
// code is needed when the owner asked for both always, the device is
// unknown, the country is new for the account, the travel from the last
// sign-in is impossible, the account's guard is raised, or it is under
// attack.
func (e *Engine) reasons(acct otpd.Account, w who) []otpd.CodeReason {
	now := e.now()
	var rs []otpd.CodeReason
	if acct.CodeSignInOff {
		rs = append(rs, otpd.CodeReason{Kind: otpd.ReasonBoth})
	}
	if !w.known {
		rs = append(rs, otpd.CodeReason{Kind: otpd.ReasonNewDevice})
	}
	if !acct.KnowsCountry(w.place.Country) {
		rs = append(rs, otpd.CodeReason{Kind: otpd.ReasonNewCountry, Specifics: w.place.Country})
	}
	if !acct.LastSignInAt.IsZero() {
		if how, impossible := risk.ImpossibleTravel(acct.LastPlace, acct.LastSignInAt, w.place, now, e.policy.MaxTravelKMH); impossible {
			rs = append(rs, otpd.CodeReason{Kind: otpd.ReasonTravel, Specifics: how})
		}
	}
	if acct.GuardedAt(now) {
		rs = append(rs, otpd.CodeReason{Kind: otpd.ReasonGuard})
	}
	if acct.UnderAttackAt(now) {
		rs = append(rs, otpd.CodeReason{Kind: otpd.ReasonAttack})
	}
	return rs
}
