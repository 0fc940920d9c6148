package otpd

// CodeReason is one reason a right password is not enough on its own
// from where it was typed, so that a code is needed as well.
type CodeReason struct {
	Kind CodeReasonKind
	// Specifics is what the kind alone does not say: the new country's
	// code, or how far in how little time ("4,990 km in 20 min"). It is
	// shown, never read back.
	Specifics string
}

// CodeReasonKind names a reason. Its value is also the key that carries
// it in a page's URL.
type CodeReasonKind string

const (
	// ReasonBoth: the owner turned code-only sign-in off, so every
	// sign-in takes a password and a code.
	ReasonBoth CodeReasonKind = "both"
	// ReasonNewDevice: the device is not one the account remembers.
	ReasonNewDevice CodeReasonKind = "device"
	// ReasonNewCountry: the account has not signed in from the country.
	ReasonNewCountry CodeReasonKind = "country"
	// ReasonTravel: nobody could have come from the last sign-in's place
	// in the time since.
	ReasonTravel CodeReasonKind = "travel"
	// ReasonGuard: a report of an unrequested code raised the guard.
	ReasonGuard CodeReasonKind = "guard"
	// ReasonAttack: the account is under attack.
	ReasonAttack CodeReasonKind = "attack"
)

// codeReasonWords are the short words said about a reason, for the API and
// the activity record; the page that asks for the code says each in a
// whole sentence of the reader's language (the catalogue's act.reason).
var codeReasonWords = map[CodeReasonKind]string{
	ReasonBoth:       "this account asks for a password and a code",
	ReasonNewDevice:  "new device",
	ReasonNewCountry: "new country",
	ReasonTravel:     "impossible travel",
	ReasonGuard:      "account guard raised after a report",
	ReasonAttack:     "account under attack",
}

// String is the reason in short words: "new country: NG".
func (r CodeReason) String() string {
	s := codeReasonWords[r.Kind]
	if s == "" {
		s = string(r.Kind)
	}
	if r.Specifics != "" {
		s += ": " + r.Specifics
	}
	return s
}

// CodeReasonKinds lists every kind in the order pages show them.
func CodeReasonKinds() []CodeReasonKind {
	return []CodeReasonKind{ReasonBoth, ReasonNewDevice, ReasonNewCountry, ReasonTravel, ReasonGuard, ReasonAttack}
}
