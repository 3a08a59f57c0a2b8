package magi

import (
	"fmt"
	"strings"
)

// ParseVerdict reads the verdict a model ended its answer with. A verdict
// is read only when it is unambiguous; anything else is ABSTAINED, with a
// Reason saying what was ambiguous, and never a vote for the other side.
// Text outside the JSON is never read as a vote. It never panics, and its
// time is linear in the length of text. The rule (docs/API.md, "How a
// verdict is read"):
//
//   - A verdict object is a JSON object, bare or fenced, with a "decision"
//     key in any case.
//   - An object is quoted, not the answer's own, when it sits on a
//     Markdown blockquote line ("> {…}"), in inline code or quotation
//     marks, inside a sentence (on its line, the text before it ends in a
//     letter or digit and words follow it), inside another verdict object,
//     or when the clause
//     introducing it ("For example:") or the line after it ("That is only
//     an example.") presents it as an example.
//   - The verdict is the last verdict object that is not quoted; with none,
//     the answer abstains. Quoted objects before it are passed over (a
//     judge may quote the sages).
//   - The answer abstains when its verdict is not valid JSON, gives two
//     different decisions (a repeated "decision" key), or when another
//     unquoted verdict object anywhere in the answer, or any verdict
//     object after the verdict (quoted or nested), gives a different or a
//     negated decision. Two identical verdicts are fine. An answer with
//     more than 32 "decision" keys abstains; an object over 64 KB is not
//     read.
//   - The decision word must be one parseDecision reads exactly (in any
//     case, English or Japanese). A negated, hedged or mixed word
//     ("反対しない", "NOT REJECTED", "probably approve") abstains; only the
//     standard ways to say "not approved" (不承認, 承認しない, NOT APPROVED …)
//     are read, as REJECTED.
//
// confidence may be 0.8, 80 or "80%", conditions an array or a string, and
// trailing commas are forgiven.
func ParseVerdict(text string) Verdict {
	if strings.TrimSpace(text) == "" {
		return Abstain("the answer is empty")
	}
	cands, why := verdictObjects(text)
	if why != "" {
		return Abstain(why)
	}
	return choose(cands)
}

// choose picks the answer's own verdict among its verdict objects and
// checks that nothing else in the answer contradicts it.
func choose(cands []*candidate) Verdict {
	own := -1
	for i, c := range cands {
		if c.quoted == "" {
			own = i
		}
	}
	switch {
	case len(cands) == 0:
		return Abstain("no verdict JSON found at the end of the answer")
	case own < 0:
		return Abstain(fmt.Sprintf("the only verdict JSON in the answer is quoted (%s), not the answer's own", cands[len(cands)-1].quoted))
	case cands[own].obj == nil:
		return Abstain("the verdict JSON at the end of the answer is not valid JSON")
	}
	c := cands[own]
	if a, b, ok := disagree(c.decisions); ok {
		return Abstain(fmt.Sprintf("the verdict JSON gives two decisions, %s and %s", a, b))
	}
	v := verdictOf(c.obj)
	if v.Decision == Abstained {
		return v
	}
	if why := contradiction(cands, own, v.Decision); why != "" {
		return Abstain(why)
	}
	return v
}

// contradiction says how another verdict object contradicts the verdict
// cands[own], which reads as d: an unquoted one anywhere, or any one after
// it, that gives a different or a negated decision. "" when none does.
func contradiction(cands []*candidate, own int, d Decision) string {
	mine := shown(cands[own].decisions[0])
	for i, o := range cands {
		if i == own || o.obj == nil || (i < own && o.quoted != "") {
			continue
		}
		for _, v := range o.decisions {
			switch {
			case !contradicts(v, d):
			case i < own:
				return fmt.Sprintf("the answer gives two different verdicts, %s and then %s; a verdict is one JSON object", shown(v), mine)
			default: // after the verdict, so quoted
				return fmt.Sprintf("the verdict %s is followed by another verdict JSON, %s (%s); which one is meant is ambiguous", mine, shown(v), o.quoted)
			}
		}
	}
	return ""
}

// disagree reports two decision values of one object that do not read the
// same.
func disagree(values []any) (string, string, bool) {
	for _, b := range values[min(1, len(values)):] {
		if readAs(values[0]) != readAs(b) {
			return shown(values[0]), shown(b), true
		}
	}
	return "", "", false
}

// readAs is the decision a value reads as, or its text when it reads as none.
func readAs(v any) string {
	s, ok := v.(string)
	if !ok {
		return shortJSON(v)
	}
	if d, _ := parseDecision(s); d != "" {
		return string(d)
	}
	return "?" + normDecision(s)
}

// contradicts reports whether a decision value elsewhere in the answer
// gives a vote other than d: a different decision, or a negated one.
func contradicts(v any, d Decision) bool {
	s, ok := v.(string)
	if !ok {
		return false
	}
	got, _ := parseDecision(s)
	switch got {
	case Approved, Rejected, Conditional:
		return got != d
	case "":
		return isNegated(normDecision(s))
	}
	return false
}

// shown quotes a decision value for a reason.
func shown(v any) string {
	if s, ok := v.(string); ok {
		return fmt.Sprintf("%q", truncate(s, 40))
	}
	return shortJSON(v)
}
