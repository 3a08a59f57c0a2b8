package magi

import (
	"fmt"
	"strings"
	"testing"
)

// negatedFor are negated approvals (and negated conditional approvals),
// generated from stems and negating affixes: none may count for.
func negatedFor() []string {
	var out []string
	for _, stem := range []string{"承認", "賛成", "可決", "条件付き承認", "無条件承認"} {
		out = append(out, "不"+stem, "非"+stem, "未"+stem)
		for _, end := range []string{"しない", "しません", "できない", "できません", "ではない", "ではありません",
			"じゃない", "せず", "はしない", "はできない", "しかねる", "とはしない", "しないです", "できないと判断します"} {
			out = append(out, stem+end)
		}
	}
	out = append(out, "承認は不可", "賛成しかねます", "承認には至らない", "承認を見送らず否決もしない")
	subjects := []string{"", "I ", "We ", "The council should "}
	negators := []string{"not", "never", "do not", "don't", "cannot", "can't", "will not", "won't",
		"would not", "should not", "must not", "does not", "do NOT"}
	for _, verb := range []string{"approve", "accept", "support", "endorse", "approve with conditions", "conditionally approve"} {
		for _, neg := range negators {
			for _, s := range subjects {
				out = append(out, s+neg+" "+verb)
			}
		}
	}
	out = append(out, "not approved", "NOT APPROVED", "Not accepted", "never approved", "no approval",
		"No, not approved", "approval: no", "approved: false", "unapproved", "disapproved", "non-approval",
		"I cannot recommend approval", "cannot recommend approving", "no support", "not supported",
		"not conditional", "not conditionally approved", "no conditional approval", "NO CONDITIONS",
		"CONDITIONS NOT MET", "conditions unmet", "without approval", "neither approve nor conditionally approve",
		"APPROVAL DENIED", "approval withheld", "approval is not granted", "NOT_APPROVED", "not-approved")
	return out
}

// negatedAgainst are negated rejections: none may count against.
func negatedAgainst() []string {
	var out []string
	for _, stem := range []string{"否決", "反対", "却下", "拒否", "不承認", "非承認"} {
		out = append(out, "不"+stem, "非"+stem, "未"+stem)
		for _, end := range []string{"しない", "しません", "できない", "できません", "ではない", "ではありません",
			"じゃない", "せず", "はしない", "はしません", "しないです", "とはしない"} {
			out = append(out, stem+end)
		}
	}
	subjects := []string{"", "I ", "We "}
	for _, verb := range []string{"reject", "deny", "decline", "oppose", "disapprove", "veto"} {
		for _, neg := range []string{"not", "never", "do not", "don't", "cannot", "will not", "won't", "would not"} {
			for _, s := range subjects {
				out = append(out, s+neg+" "+verb)
			}
		}
	}
	out = append(out, "not rejected", "NOT REJECTED", "not denied", "not declined", "no rejection",
		"rejection: no", "rejected: false", "unrejected", "non-rejection", "NOT DISAPPROVED", "not not approved",
		"no objection", "I have no objection", "not a rejection", "NOT_REJECTED", "REJECTION WITHDRAWN")
	return out
}

// templates put a decision phrase where a model would: in the JSON's
// decision, bare or fenced, after prose in either language, decorated, and
// in prose with no JSON at all.
var templates = []string{
	`{"decision": %q, "confidence": 0.8, "summary": "…", "conditions": []}`,
	"The evidence was weighed carefully.\n\n```json\n{\"decision\": %q, \"confidence\": 0.7, \"summary\": \"See above.\", \"conditions\": []}\n```",
	"結論を述べます。\n```json\n{\"decision\": %q, \"confidence\": 0.7, \"summary\": \"上記の通り。\"}\n```\n以上です。",
	"```\n{\"Decision\": %q, \"confidence\": \"80%%\"}\n```",
	"{\n  \"DECISION\": %q,\n  \"confidence\": 80,\n  \"conditions\": [\"pilot\"],\n}",
	"Final verdict: {\"decision\": %q, \"confidence\": 0.9}",
	"Weighing all three:\n{\"decision\": %q, \"confidence\": 0.66, \"summary\": \"…\", \"scores\": {\"melchior\": 80, \"balthasar\": 70, \"casper\": 60}}",
	"```json\n{\"summary\": \"…\", \"decision\": %q}\n```\nThanks.",
	"```json\n{\"verdict\": {\"decision\": %q, \"confidence\": 0.6}}\n```",
	"Decision: %s",
	"My answer: %s.\n\nI hope this helps.",
	"判定：%s",
}

// decorate writes a phrase as models do: in upper case, in bold, in
// Japanese quotes, padded with spaces, with a reason in brackets.
func decorate(p string) []string {
	return []string{p, strings.ToUpper(p), strings.ToLower(p), "**" + p + "**", "「" + p + "」",
		"  " + p + "。 ", p + " (after review)", p + "（理由は上記）", p + "!", "\u3000" + p}
}

// TestParseVerdict_NoNegatedPhrasingCountsFor is the property of issue 11: a
// negated vote is never read as the vote it negates, in any template or
// position.
func TestParseVerdict_NoNegatedPhrasingCountsFor(t *testing.T) {
	check := func(t *testing.T, phrases []string, bad func(Decision) bool) int {
		n := 0
		for _, p := range phrases {
			for _, d := range decorate(p) {
				for i, tmpl := range templates {
					text := fmt.Sprintf(tmpl, d)
					n++
					v := ParseVerdict(text)
					if bad(v.Decision) {
						t.Errorf("template %d, %q: read as %s\n%s", i, d, v.Decision, text)
					}
					if v.Decision == Abstained && v.Reason == "" {
						t.Errorf("template %d, %q: abstained without a reason", i, d)
					}
				}
			}
		}
		return n
	}
	t.Run("negated approvals never count for", func(t *testing.T) {
		n := check(t, negatedFor(), Decision.For)
		t.Logf("%d answers", n)
	})
	t.Run("negated rejections never count against", func(t *testing.T) {
		n := check(t, negatedAgainst(), func(d Decision) bool { return d == Rejected })
		t.Logf("%d answers", n)
	})
}

// The templates are live: the plain words in them are read, so the
// property above is not passing because nothing is ever read.
func TestParseVerdict_TemplatesReadPlainWords(t *testing.T) {
	words := map[string]Decision{"APPROVED": Approved, "承認": Approved, "REJECTED": Rejected,
		"否決します": Rejected, "不承認": Rejected, "CONDITIONAL": Conditional, "条件付き承認": Conditional}
	for w, want := range words {
		for i, tmpl := range templates {
			got := ParseVerdict(fmt.Sprintf(tmpl, w)).Decision
			if strings.Contains(tmpl, "{") && got != want || !strings.Contains(tmpl, "{") && got != Abstained {
				t.Errorf("template %d with %q read as %s", i, w, got)
			}
		}
	}
}
