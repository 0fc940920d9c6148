package password

import (
	"strings"
	"unicode"

	"github.com/trustelem/zxcvbn"
	"github.com/trustelem/zxcvbn/match"
)

// minGuesses is the fewest guesses an attacker who knows how people build
// passwords (common words, names, dates, sequences, keyboard walks,
// repeats and their l33t and upper-case variants) must make, in zxcvbn's
// estimate, before a password may be set. 1e8 is zxcvbn's "safely
// unguessable" score 3: far beyond what the attempt caps allow online,
// and hours of work per account against a stolen argon2id hash. Variants
// of listed passwords ("password12345678", 1.5e4) fall far below it, and
// a few unrelated words ("blue cactus river", 3.7e8) clear it.
const minGuesses = 1e8

// estimateRunes bounds the estimator's work, which grows with the cube
// of the length (256 characters of a repeated pattern take most of a
// second): the first 64 characters of a longer password are judged, and a
// guessable start refuses it, as it would refuse that start alone.
const estimateRunes = 64

// guessable returns the kinds of the guessable parts of pw, in words, when
// zxcvbn estimates fewer than minGuesses for it, and "" otherwise. context
// joins zxcvbn's dictionaries, so the address and the service's name count
// as guessable words.
func guessable(pw string, context []string) string {
	if rs := []rune(pw); len(rs) > estimateRunes {
		pw = string(rs[:estimateRunes])
	}
	r := zxcvbn.PasswordStrength(pw, contextWords(context))
	if r.Guesses >= minGuesses {
		return ""
	}
	return kinds(r.Sequence)
}

// kinds words the patterns zxcvbn found, once each in the order found,
// and never the password's own characters: the reason may be shown where
// others can read it.
func kinds(ms []*match.Match) string {
	var words []string
	seen := map[string]bool{}
	for _, m := range ms {
		w, ok := patternWords[m.Pattern]
		if m.Pattern == "dictionary" && m.DictionaryName == "user_inputs" {
			w, ok = "your address or the service's name", true
		}
		if ok && !seen[w] {
			seen[w] = true
			words = append(words, w)
		}
	}
	switch len(words) {
	case 0:
		return "it is short and simple"
	case 1:
		return "it is made of " + words[0]
	}
	return "it is made of " + strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}

var patternWords = map[string]string{
	"dictionary": "common words or names",
	"spatial":    "a keyboard pattern",
	"repeat":     "repeated characters",
	"sequence":   "a sequence",
	"regex":      "a recent year",
	"date":       "a date",
}

// contextWords gives zxcvbn each context word and its parts (the local
// part's "ada" and "lovelace", the domain's "example"), so that they are
// found in any order and with other characters between them.
func contextWords(context []string) []string {
	words := append([]string(nil), context...)
	for _, c := range context {
		for _, w := range strings.FieldsFunc(c, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
			if len([]rune(w)) >= minContextLen-1 {
				words = append(words, w)
			}
		}
	}
	return words
}
