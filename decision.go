package magi

import (
	"fmt"
	"strings"
	"unicode"
)

// decisionWords are the only phrasings read as a decision, in their
// normalised form (see normDecision): plainWords and negatedApprovals. The
// match is exact: a word is never read because it merely contains a vote,
// so "不承認" is not "承認" and "UNCONDITIONAL APPROVAL" is not "CONDITIONAL".
var decisionWords = func() map[string]Decision {
	m := make(map[string]Decision, len(plainWords)+len(negatedApprovals))
	for w, d := range plainWords {
		m[w] = d
	}
	for _, w := range negatedApprovals {
		m[w] = Rejected
	}
	return m
}()

// plainWords are the plain decisions, in English and Japanese.
var plainWords = map[string]Decision{
	"APPROVED": Approved, "APPROVE": Approved, "APPROVAL": Approved, "YES": Approved,
	"ACCEPT": Approved, "ACCEPTED": Approved, "GO": Approved,
	"UNCONDITIONAL APPROVAL": Approved, "UNCONDITIONALLY APPROVED": Approved,
	"APPROVED UNCONDITIONALLY": Approved, "APPROVE UNCONDITIONALLY": Approved,
	"APPROVED WITHOUT CONDITIONS": Approved, "APPROVE WITHOUT CONDITIONS": Approved,
	"承認": Approved, "可決": Approved, "賛成": Approved,
	"無条件承認": Approved, "無条件で承認": Approved, "無条件賛成": Approved, "無条件で賛成": Approved,

	"REJECTED": Rejected, "REJECT": Rejected, "REJECTION": Rejected, "NO": Rejected,
	"DENY": Rejected, "DENIED": Rejected, "DECLINE": Rejected, "DECLINED": Rejected,
	"否決": Rejected, "却下": Rejected, "反対": Rejected, "拒否": Rejected,

	"CONDITIONAL": Conditional, "CONDITIONALLY APPROVED": Conditional, "CONDITIONALLY APPROVE": Conditional,
	"CONDITIONAL APPROVAL": Conditional, "APPROVED WITH CONDITIONS": Conditional,
	"APPROVE WITH CONDITIONS": Conditional, "APPROVED CONDITIONALLY": Conditional,
	"APPROVE CONDITIONALLY": Conditional, "CONDITIONALLY ACCEPTED": Conditional,
	"ACCEPTED WITH CONDITIONS": Conditional, "APPROVED SUBJECT TO CONDITIONS": Conditional,
	"CONDITIONAL YES": Conditional, "YES WITH CONDITIONS": Conditional,
	"条件付き承認": Conditional, "条件付承認": Conditional, "条件つき承認": Conditional,
	"条件付": Conditional, "条件付き": Conditional, "条件つき": Conditional,
	"条件付きで承認": Conditional, "条件付きの承認": Conditional, "条件付きで賛成": Conditional,
	"条件付き賛成": Conditional, "条件付き可決": Conditional, "承認条件付き": Conditional, "承認条件付": Conditional,

	"ABSTAIN": Abstained, "ABSTAINED": Abstained, "ABSTENTION": Abstained, "棄権": Abstained, "保留": Abstained,
}

// negatedApprovals are the standard ways to write "not approved": each is
// exactly a vote against, so it is read as REJECTED. Every other negated
// phrasing is read as neither side (see parseDecision).
var negatedApprovals = []string{
	"NOT APPROVED", "DO NOT APPROVE", "DON'T APPROVE", "DISAPPROVE", "DISAPPROVED", "NO GO",
	"不承認", "非承認", "承認しない", "承認しません", "承認できない", "承認できません",
	"賛成しない", "賛成しません", "賛成できない", "賛成できません",
}

// politeEndings are Japanese sentence endings dropped before the lookup, so
// "承認します" and "反対です" read as "承認" and "反対". Longest first.
var politeEndings = []string{"といたします", "とします", "いたします", "します", "とする", "である", "です", "する", "だ"}

// parseDecision reads a decision word. It returns the decision, or "" and
// the reason it cannot be read: a negated, hedged or unknown phrasing is
// never read as either side.
func parseDecision(s string) (Decision, string) {
	key := normDecision(s)
	if d, ok := decisionWords[key]; ok {
		return d, ""
	}
	shown := truncate(strings.TrimSpace(s), 40)
	switch {
	case isNegated(key):
		return "", fmt.Sprintf("negated decision %q: only a plain APPROVED, REJECTED or CONDITIONAL (or 不承認, NOT APPROVED …) is read", shown)
	case isHedged(key):
		return "", fmt.Sprintf("hedged decision %q: only a plain APPROVED, REJECTED or CONDITIONAL is read", shown)
	case voteKinds(key) > 1:
		return "", fmt.Sprintf("decision %q names more than one decision", shown)
	}
	return "", fmt.Sprintf("unknown decision %q", shown)
}

// normDecision folds a decision to its lookup form: full-width letters to
// ASCII, upper case, punctuation and markup dropped, words joined by one
// space (Japanese by none), a polite Japanese ending removed.
func normDecision(s string) string {
	words := strings.FieldsFunc(strings.Map(foldRune, s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\''
	})
	kept := words[:0]
	for _, w := range words {
		if w = strings.Trim(w, "'"); w != "" {
			kept = append(kept, w)
		}
	}
	key := strings.ToUpper(strings.Join(kept, " "))
	if isASCII(key) {
		return key
	}
	key = strings.ReplaceAll(key, " ", "")
	for _, e := range politeEndings {
		if t, ok := strings.CutSuffix(key, e); ok && t != "" {
			return t
		}
	}
	return key
}

// foldRune maps full-width ASCII to ASCII and typographic apostrophes to '.
func foldRune(r rune) rune {
	switch {
	case r >= 0xFF01 && r <= 0xFF5E:
		return r - 0xFEE0
	case r == '’' || r == '‘':
		return '\''
	}
	return r
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// negationWords are English words that negate a vote.
var negationWords = map[string]bool{
	"NOT": true, "NO": true, "NEVER": true, "NOR": true, "NEITHER": true, "NONE": true, "WITHOUT": true,
	"CANNOT": true, "CAN'T": true, "CANT": true, "DON'T": true, "DONT": true, "DOESN'T": true,
	"WON'T": true, "WONT": true, "ISN'T": true, "AREN'T": true, "WASN'T": true, "UNMET": true,
	"SHOULDN'T": true, "WOULDN'T": true, "COULDN'T": true, "NEGATIVE": true,
	"NON": true,
}

// isNegated reports whether a normalised decision carries a negation: an
// English negation word or un-/dis-/non- prefix, or a Japanese negating
// prefix or ending.
func isNegated(key string) bool {
	for _, w := range strings.Fields(key) {
		if negationWords[w] {
			return true
		}
		for _, p := range []string{"UN", "DIS", "NON"} {
			if rest, ok := strings.CutPrefix(w, p); ok && voteKinds(rest) > 0 {
				return true
			}
		}
	}
	for _, m := range []string{"不", "非", "未", "無", "ない", "ず", "ません", "ぬ", "否定"} {
		if strings.Contains(key, m) {
			return true
		}
	}
	return false
}

// hedgeWords mark a vote that is not made outright; isHedged reports
// whether a phrase names a vote and hedges it.
var hedgeWords = []string{"PROBABLY", "LIKELY", "LEAN", "LEANING", "TENTATIVE", "TENTATIVELY", "MAYBE",
	"PERHAPS", "POSSIBLY", "PENDING", "UNDECIDED", "UNSURE", "UNCLEAR",
	"おそらく", "たぶん", "多分", "暫定", "傾向", "寄り", "かも", "未定"}

func isHedged(key string) bool {
	if voteKinds(key) == 0 {
		return false
	}
	for _, w := range hedgeWords {
		if isASCII(w) && strings.Contains(" "+key+" ", " "+w+" ") || !isASCII(w) && strings.Contains(key, w) {
			return true
		}
	}
	return false
}

// voteKinds counts how many different votes a phrase names.
func voteKinds(key string) int {
	kinds := [][]string{
		{"APPROV", "ACCEPT", "承認", "賛成", "可決"},
		{"REJECT", "DENY", "DENIED", "DECLIN", "否決", "却下", "反対", "拒否"},
		{"CONDITION", "条件"},
	}
	n := 0
	for _, k := range kinds {
		for _, w := range k {
			if strings.Contains(key, w) {
				n++
				break
			}
		}
	}
	return n
}
