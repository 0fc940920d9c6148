package password

import (
	_ "embed"
	"strings"
	"sync"
)

// common.txt holds 49,233 passwords, lower-cased, most frequent first:
// the password list of the npm package @zxcvbn-ts/language-common 4.1.3
// (src/passwords.json), MIT licence, copyright (c) 2012-2016 Dan Wheeler
// and Dropbox, Inc. and (c) 2021 @zxcvbn-ts. It was built from Mark
// Burnett's corpus of ten million leaked passwords: every password seen
// more than ten times, lower-cased, less those that zxcvbn's own pattern
// rules (repeats, sequences, keyboard walks, dates) would guess sooner than
// their rank. COMMON-PASSWORDS.md beside this file says how to rebuild it
// and carries the licence.
//
//go:embed common.txt
var commonTxt string

// common is built on first use, not at start-up, so that a server without
// passwords never pays for it (about 4 MB as a map).
var common = sync.OnceValue(func() map[string]struct{} {
	lines := strings.Split(strings.TrimSuffix(commonTxt, "\n"), "\n")
	set := make(map[string]struct{}, len(lines))
	for _, l := range lines {
		set[l] = struct{}{}
	}
	return set
})

// isCommon reports whether pw, compared without regard to case, is on the
// list. pw must already be in NFKC form.
func isCommon(pw string) bool {
	_, ok := common()[strings.ToLower(pw)]
	return ok
}
